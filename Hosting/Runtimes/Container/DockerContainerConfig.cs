using System.Globalization;
using System.Text.Json.Nodes;

namespace StackModel.Hosting.Runtimes.Container;

/// <summary>
/// The body of Docker Engine's <c>POST /containers/create</c> for a <see cref="ContainerSpec"/>: the same container the CLI's
/// <c>run -d --pull=never</c> arguments of <see cref="ContainerStack"/> make (name, label, ports on 127.0.0.1, environment, volumes
/// and bind mounts, tmpfs, user, entrypoint, arguments, network and alias), as the CLI translates them.
/// </summary>
internal static class DockerContainerConfig
{
    /// <param name="spec">The container.</param>
    /// <param name="stackName">The stack's network name (<see cref="ContainerStack.NetworkName"/>): its label's value and its network's name.</param>
    /// <param name="stackLabel">The label every container of the stack carries.</param>
    public static JsonObject For(ContainerSpec spec, string stackName, string stackLabel)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var exposed = new JsonObject();
        var bindings = new JsonObject();
        foreach (var (hostPort, targetPort) in spec.Ports)
        {
            var key = string.Create(CultureInfo.InvariantCulture, $"{targetPort}/tcp");
            exposed[key] = new JsonObject();
            if (bindings[key] is not JsonArray list)
            {
                bindings[key] = list = [];
            }

            list.Add(new JsonObject { ["HostIp"] = "127.0.0.1", ["HostPort"] = hostPort.ToString(CultureInfo.InvariantCulture) });
        }

        var tmpfs = new JsonObject();
        foreach (var mount in spec.Tmpfs)
        {
            var colon = mount.IndexOf(':', StringComparison.Ordinal);
            tmpfs[colon < 0 ? mount : mount[..colon]] = colon < 0 ? string.Empty : mount[(colon + 1)..];
        }

        var host = new JsonObject
        {
            ["PortBindings"] = bindings,
            ["Binds"] = new JsonArray([.. spec.Mounts.Select(m => (JsonNode)$"{m.Source}:{m.Target}{(m.ReadOnly ? ":ro" : string.Empty)}")]),
            ["NetworkMode"] = spec.JoinsNetworkAfterStart ? "default" : stackName,
        };
        if (tmpfs.Count > 0)
        {
            host["Tmpfs"] = tmpfs;
        }

        var config = new JsonObject
        {
            ["Image"] = spec.Image,
            ["Labels"] = new JsonObject { [stackLabel] = stackName },
            ["Env"] = new JsonArray([.. spec.Environment.Where(e => e.Value is not null).Select(e => (JsonNode)$"{e.Key}={e.Value}")]),
            ["ExposedPorts"] = exposed,
            ["HostConfig"] = host,
        };
        if (spec.User is { } user)
        {
            config["User"] = user;
        }

        if (spec.Entrypoint is { } entrypoint)
        {
            config["Entrypoint"] = new JsonArray(entrypoint);
        }

        if (spec.Args.Count > 0)
        {
            config["Cmd"] = new JsonArray([.. spec.Args.Select(a => (JsonNode)a)]);
        }

        if (!spec.JoinsNetworkAfterStart)
        {
            config["NetworkingConfig"] = new JsonObject
            {
                ["EndpointsConfig"] = new JsonObject { [stackName] = new JsonObject { ["Aliases"] = new JsonArray(spec.ResourceName) } },
            };
        }

        return config;
    }
}
