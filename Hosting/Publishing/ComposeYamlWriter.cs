using System.Globalization;
using System.Text;

namespace StackModel.Hosting.Publishing;

/// <summary>Writes the compose file. Every scalar is a double-quoted YAML string (JSON escaping, which YAML accepts), so no value is misread as a number, boolean or comment.</summary>
internal static class ComposeYamlWriter
{
    public static string Write(string header, IReadOnlyList<ComposeService> services, IReadOnlyList<string> volumes)
    {
        var yaml = new StringBuilder(header);
        yaml.Append("services:\n");
        foreach (var service in services)
        {
            yaml.Append('\n');
            if (service.Comment is not null)
            {
                foreach (var line in service.Comment.Split('\n'))
                {
                    yaml.Append("  # ").Append(line).Append('\n');
                }
            }

            yaml.Append("  ").Append(service.Name).Append(":\n");
            yaml.Append("    image: ").Append(Q(service.Image)).Append('\n');
            if (service.Build is { } build)
            {
                yaml.Append("    build:\n");
                yaml.Append("      context: ").Append(Q(build.Context)).Append('\n');
                yaml.Append("      dockerfile: ").Append(Q(build.Dockerfile)).Append('\n');
            }

            List("entrypoint", service.Entrypoint);
            List("command", service.Command);
            if (service.Environment.Count > 0)
            {
                yaml.Append("    environment:\n");
                foreach (var (key, value) in service.Environment)
                {
                    yaml.Append("      ").Append(key).Append(": ").Append(Q(value)).Append('\n');
                }
            }

            Block("volumes", service.Volumes);
            Block("tmpfs", service.Tmpfs);
            Block("ports", service.Ports);
            if (service.Healthcheck is { } health)
            {
                yaml.Append("    healthcheck:\n");
                yaml.Append("      test: [\"CMD-SHELL\", ").Append(Q(health.Shell)).Append("]\n");
                yaml.Append("      interval: ").Append(Q(health.Interval)).Append('\n');
                yaml.Append("      timeout: ").Append(Q(health.Timeout)).Append('\n');
                yaml.Append("      retries: ").Append(health.Retries).Append('\n');
                yaml.Append("      start_period: ").Append(Q(health.StartPeriod)).Append('\n');
            }

            if (service.DependsOn.Count > 0)
            {
                yaml.Append("    depends_on:\n");
                foreach (var (name, condition) in service.DependsOn)
                {
                    yaml.Append("      ").Append(name).Append(":\n        condition: ").Append(condition).Append('\n');
                }
            }

            if (service.OneShot)
            {
                yaml.Append("    restart: \"no\"\n");
            }
        }

        if (volumes.Count > 0)
        {
            yaml.Append("\nvolumes:\n");
            foreach (var volume in volumes)
            {
                yaml.Append("  ").Append(volume).Append(": {}\n");
            }
        }

        return yaml.ToString();

        void List(string key, List<string> items)
        {
            if (items.Count > 0)
            {
                yaml.Append("    ").Append(key).Append(": [").AppendJoin(", ", items.Select(Q)).Append("]\n");
            }
        }

        void Block(string key, List<string> items)
        {
            if (items.Count > 0)
            {
                yaml.Append("    ").Append(key).Append(":\n");
                foreach (var item in items)
                {
                    yaml.Append("      - ").Append(Q(item)).Append('\n');
                }
            }
        }
    }

    /// <summary>A YAML double-quoted scalar: backslash, quote and control characters escaped.</summary>
    public static string Q(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append("\\\\"),
                '\n' => quoted.Append("\\n"),
                '\t' => quoted.Append("\\t"),
                _ when char.IsControl(c) => quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => quoted.Append(c),
            };
        }

        return quoted.Append('"').ToString();
    }
}
