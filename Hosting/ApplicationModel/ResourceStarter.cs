namespace StackModel.Hosting.ApplicationModel;

/// <summary>Who starts a resource (<see cref="ResourceKindAnnotation.Starter"/>).</summary>
internal enum ResourceStarter
{
    /// <summary>The runner of its placement: a host process or a container (projects, executables, containers, LiteLLM).</summary>
    Placement,

    /// <summary>The PostgreSQL launcher, placed where <c>Stack:Runtime</c> chose (a PostgreSQL server).</summary>
    PostgresLauncher,

    /// <summary>Its parent, with it (a database on its server); it cannot be started, stopped or restarted alone.</summary>
    Parent,

    /// <summary>Nobody: a value, not a program (a parameter).</summary>
    None,
}
