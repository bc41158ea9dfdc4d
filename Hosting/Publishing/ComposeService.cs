namespace StackModel.Hosting.Publishing;

/// <summary>One service of a generated compose file. Values are final compose text: <c>$</c> already escaped, secrets as <c>${NAME}</c> references to <c>.env</c>.</summary>
internal sealed class ComposeService(string name, string image)
{
    public string Name { get; } = name;

    public string Image { get; } = image;

    /// <summary>Gets or sets why the service is there, written as a comment above it.</summary>
    public string? Comment { get; set; }

    /// <summary>Gets or sets the build context (relative to the compose file) when the image can be built from a Dockerfile.</summary>
    public (string Context, string Dockerfile)? Build { get; set; }

    public List<string> Entrypoint { get; } = [];

    public List<string> Command { get; } = [];

    public List<KeyValuePair<string, string>> Environment { get; } = [];

    public List<string> Volumes { get; } = [];

    /// <summary>Gets the paths mounted as tmpfs: a path the image declares a <c>VOLUME</c> for that this service does not keep.</summary>
    public List<string> Tmpfs { get; } = [];

    public List<string> Ports { get; } = [];

    /// <summary>Gets or sets the health check's command (<c>CMD-SHELL</c> form) and how patiently it is retried.</summary>
    public (string Shell, string Interval, string Timeout, int Retries, string StartPeriod)? Healthcheck { get; set; }

    /// <summary>Gets the services this one waits for, each with its compose condition.</summary>
    public List<KeyValuePair<string, string>> DependsOn { get; } = [];

    /// <summary>Gets or sets a value indicating whether the service runs once and exits (<c>restart: "no"</c>).</summary>
    public bool OneShot { get; set; }

    /// <summary>Adds a dependency, keeping the strongest condition when the service is named twice.</summary>
    public void AddDependency(string service, string condition)
    {
        var index = DependsOn.FindIndex(d => d.Key == service);
        if (index < 0)
        {
            DependsOn.Add(new(service, condition));
        }
        else if (condition != ComposeConditions.Started)
        {
            DependsOn[index] = new(service, condition);
        }
    }
}
