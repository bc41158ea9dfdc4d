using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using StackModel.Hosting.ApplicationModel;
using StackModel.Hosting.Runtimes;

namespace StackModel.Hosting.Orchestration;

/// <summary>
/// Decides every resource's <see cref="ResourcePlacement"/>, once, in Prepare: PostgreSQL where its launcher was chosen
/// (<c>Stack:Runtime</c>), its databases with it, a resource with a <see cref="PlacementChoiceAnnotation"/> (LiteLLM) where
/// <c>&lt;section&gt;:Runtime</c> says, containers as containers on the stack network, everything else as a host process.
/// </summary>
internal static partial class PlacementResolver
{
    /// <param name="resources">Every resource of the model.</param>
    /// <param name="configuration">The AppHost's configuration (<c>&lt;section&gt;:Runtime</c>, <c>:Command</c>, <c>:CommandArgs</c>).</param>
    /// <param name="postgres">
    /// The PostgreSQL launcher's choice (<c>process</c> or <c>container</c>) and why, or <see langword="null"/> when a verb that starts
    /// nothing leaves an <c>auto</c> choice that needs an engine's answer undecided (the placement is then <see cref="ResourcePlacement.Provisional"/>).
    /// </param>
    /// <param name="probe">The container engine, or <see langword="null"/> for a verb that starts nothing: no engine is asked, no image pulled.</param>
    /// <param name="appHostDirectory">The AppHost project folder (relative commands, the working directory of a host command).</param>
    /// <param name="logger">Says when <c>auto</c> turns a resource off.</param>
    public static void Resolve(IEnumerable<IResource> resources, IConfiguration configuration, (string Name, string Reason)? postgres, IContainerEngineProbe? probe, string appHostDirectory, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var engineAnswers = new Lazy<bool>(() => probe is null || probe.Answers()); // unasked (a verb that starts nothing): no problem is claimed
        var all = resources.ToArray();
        foreach (var resource in all.Where(r => ResourceKindAnnotation.Of(r).Starter != ResourceStarter.Parent))
        {
            var placement = resource.Annotations.OfType<PlacementChoiceAnnotation>().FirstOrDefault() is { } choice
                ? Choose(resource, choice, configuration, probe, engineAnswers, appHostDirectory, logger)
                : Declared(resource, postgres);
            Set(resource, placement);
        }

        foreach (var child in all.OfType<IResourceWithParent>().Where(r => ResourceKindAnnotation.Of(r).Starter == ResourceStarter.Parent))
        {
            var parent = ResourcePlacement.Of(child.Parent);
            Set(child, parent with { Why = $"runs in '{child.Parent.Name}' ({parent.Why})" });
        }
    }

    private static void Set(IResource resource, ResourcePlacement placement)
    {
        if (resource.Annotations.OfType<ResourcePlacementAnnotation>().FirstOrDefault() is { } annotation)
        {
            annotation.Placement = placement;
        }
        else
        {
            resource.Annotations.Add(new ResourcePlacementAnnotation(placement));
        }
    }

    /// <summary>Where a resource without a choice runs: as declared, PostgreSQL where its launcher runs it.</summary>
    private static ResourcePlacement Declared(IResource resource, (string Name, string Reason)? postgres) => resource switch
    {
        _ when ResourceKindAnnotation.Of(resource).Starter == ResourceStarter.PostgresLauncher && postgres is { } chosen => chosen.Name == "container"
            ? new ResourcePlacement(PlacementKind.Container, NetworkContext.ContainerNetwork, chosen.Reason) { Setting = chosen.Name, SettingKey = "Stack:Runtime" }
            : new ResourcePlacement(PlacementKind.Process, NetworkContext.Host, chosen.Reason) { Setting = chosen.Name, SettingKey = "Stack:Runtime" },
        _ when ResourceKindAnnotation.Of(resource).Starter == ResourceStarter.PostgresLauncher => new ResourcePlacement(PlacementKind.Process, NetworkContext.Host,
            "Stack:Runtime=auto, decided when the stack starts (a verb that starts nothing asks no container engine)")
        { Setting = "auto", SettingKey = "Stack:Runtime", Provisional = true },
        ContainerResource => new ResourcePlacement(PlacementKind.Container, NetworkContext.ContainerNetwork, "declared as a container"),
        _ => new ResourcePlacement(PlacementKind.Process, NetworkContext.Host, "declared as a host process"),
    };

    private static ResourcePlacement Choose(IResource resource, PlacementChoiceAnnotation choice, IConfiguration configuration, IContainerEngineProbe? probe, Lazy<bool> engineAnswers, string appHostDirectory, ILogger logger)
    {
        var declared = resource is ContainerResource ? PlacementKind.Container : PlacementKind.Process;
        if (probe is null && Setting(configuration, choice) == "auto")
        {
            var section = choice.ConfigurationSection;
            return new ResourcePlacement(declared, ResourcePlacement.ContextOf(declared), $"{section}:Runtime=auto, decided when the stack starts (a verb that starts nothing asks no container engine)")
            {
                Setting = "auto",
                SettingKey = $"{section}:Runtime",
                Provisional = true,
            };
        }

        var placement = Select(resource, choice, configuration, () => engineAnswers.Value, appHostDirectory,
            image: () => resource is not ContainerResource container || probe is null ? null : probe.EnsureImage(resource.Name, $"{container.Image}:{container.Tag}"));
        if (placement is { Kind: PlacementKind.Off, Setting: "auto" })
        {
            LogTurnedOff(logger, placement.Problem!);
        }

        return placement;
    }

    private static string Setting(IConfiguration configuration, PlacementChoiceAnnotation choice) =>
        (configuration.GetSection(choice.ConfigurationSection)["Runtime"] is { Length: > 0 } configured ? configured : "auto").Trim().ToLowerInvariant();

    /// <remarks>
    /// <c>auto</c> picks the container only when <paramref name="image"/> also says it is present locally or was just pulled
    /// (<c>Stack:PullPolicy</c>); <see langword="null"/> from it means there is no image to check.
    /// </remarks>
    private static ResourcePlacement Select(IResource resource, PlacementChoiceAnnotation annotation, IConfiguration configuration, Func<bool> engineAnswers, string appHostDirectory, Func<ImageAvailability?>? image = null)
    {
        var key = annotation.ConfigurationSection;
        var section = configuration.GetSection(key);
        var setting = Setting(configuration, annotation);
        var (program, leadingArgs) = ParseCommand(section, annotation.DefaultCommand, appHostDirectory);
        var name = resource.Name;
        var why = $"{key}:Runtime={setting}";
        var declaredContext = resource is ContainerResource ? NetworkContext.ContainerNetwork : NetworkContext.Host;
        var executable = new ResourcePlacement(PlacementKind.Process, NetworkContext.Host, why)
        {
            Setting = setting,
            SettingKey = $"{key}:Runtime",
            Program = program,
            LeadingArgs = leadingArgs,
            WorkingDirectory = appHostDirectory,
        };

        switch (setting)
        {
            case "off":
                return new ResourcePlacement(PlacementKind.Off, declaredContext, why)
                {
                    Setting = setting,
                    SettingKey = $"{key}:Runtime",
                    Problem = $"Resource '{name}' is turned off by configuration ({key}:Runtime=off); whatever waits for it starts without it. " +
                             $"Set {key}:Runtime=auto, container or executable to run it.",
                };
            case "container":
                return new ResourcePlacement(PlacementKind.Container, NetworkContext.ContainerNetwork, why)
                {
                    Setting = setting,
                    SettingKey = $"{key}:Runtime",
                    Problem = engineAnswers() ? null :
                        $"Resource '{name}' is set to run as a container ({key}:Runtime=container), but no container runtime is available to this stack " +
                        $"(expected a Docker or Podman engine registered with the AppHost, found none). Run it as a host command instead " +
                        $"({key}:Runtime=executable, with {annotation.InstallHint} or {key}:Command=<path>), or turn it off ({key}:Runtime=off).",
                };
            case "executable":
                return IsRunnable(program) ? executable : executable with
                {
                    Problem = $"Resource '{name}' is set to run as a host command ({key}:Runtime=executable), but '{program}' is neither an existing file " +
                             $"nor on PATH. Install it ({annotation.InstallHint}), or set {key}:Command to its path.",
                };
            case "auto":
                ImageAvailability? availability = null;
                if (engineAnswers())
                {
                    availability = image?.Invoke();
                    if (availability is null or { Available: true })
                    {
                        return new ResourcePlacement(PlacementKind.Container, NetworkContext.ContainerNetwork, $"{why}: a container engine answers") { Setting = setting, SettingKey = $"{key}:Runtime" };
                    }
                }

                if (IsRunnable(program))
                {
                    return executable with { Why = $"{why}: '{program}' is on PATH and it cannot run as a container here" };
                }

                var orCommand = $"install the command ({annotation.InstallHint}) and set {key}:Command if it is not on PATH ({key}:Runtime=executable).";
                return new ResourcePlacement(PlacementKind.Off, declaredContext, why)
                {
                    Setting = setting,
                    SettingKey = $"{key}:Runtime",

                    // An engine that answers with the image missing needs the image, not an engine: say which, and how to get it.
                    Problem = availability is { Available: false, Fix: { } fix }
                        ? $"Resource '{name}' is turned off: a container engine answers, but {availability.Reason}; and '{program}' is not on PATH ({key}:Runtime=auto). " +
                          $"To run it as a container, {fix}; or {orCommand}"
                        : $"Resource '{name}' is turned off: it cannot run as a container here and '{program}' is not on PATH ({key}:Runtime=auto). " +
                          "A container needs an engine that answers, PostgreSQL on the stack network (Stack:Runtime=container) and its image present locally or pulled" +
                          (availability is null ? ". " : $" ({availability.Reason}). ") +
                          $"To run it, start Docker or Podman ({key}:Runtime=container), or {orCommand}",
                };
            default:
                throw new DistributedApplicationException(
                    $"{key}:Runtime is '{section["Runtime"]}' for resource '{name}'; expected auto, container, executable or off. Fix the setting, or remove it for auto.");
        }
    }

    /// <summary>
    /// Reads <c>Command</c> (a program, or a program and leading arguments separated by spaces, e.g. <c>dotnet /path/app.dll</c>;
    /// an existing file path is taken whole) and <c>CommandArgs</c> (an array, or one string split on spaces).
    /// </summary>
    private static (string Program, IReadOnlyList<string> LeadingArgs) ParseCommand(IConfigurationSection section, string defaultCommand, string appHostDirectory)
    {
        var command = section["Command"] is { Length: > 0 } configured ? configured.Trim() : defaultCommand;
        string[] parts = File.Exists(Path.GetFullPath(command, appHostDirectory)) && command.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? [command]
            : command.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var program = parts[0].Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) ? Path.GetFullPath(parts[0], appHostDirectory) : parts[0];
        var args = new List<string>(parts[1..]);
        var extra = section.GetSection("CommandArgs");
        if (extra.Value is { Length: > 0 } single)
        {
            args.AddRange(single.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        else
        {
            args.AddRange(extra.GetChildren().OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue).Select(c => c.Value ?? string.Empty));
        }

        return (program, args);
    }

    /// <summary>Whether <paramref name="program"/> is an existing file, or a name found in a folder of PATH.</summary>
    internal static bool IsRunnable(string program)
    {
        if (program.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return File.Exists(program);
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, program)));
    }

    [LoggerMessage(EventId = LogEvents.ResourceTurnedOff, Level = LogLevel.Warning, Message = "{Reason}")]
    private static partial void LogTurnedOff(ILogger logger, string reason);
}
