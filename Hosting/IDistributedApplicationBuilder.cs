using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackModel.Hosting.ApplicationModel;

namespace StackModel.Hosting;

/// <summary>Declares the stack: its resources and how they are wired. Create one with <see cref="DistributedApplication.CreateBuilder(string[])"/>.</summary>
public interface IDistributedApplicationBuilder
{
    /// <summary>Gets the configuration (appsettings.json, environment, command line, and the testing builder's overrides).</summary>
    IConfigurationManager Configuration { get; }

    /// <summary>Gets the services of the AppHost process.</summary>
    IServiceCollection Services { get; }

    /// <summary>Gets the folder of the AppHost project, the base of relative paths and of the default state folder.</summary>
    string AppHostDirectory { get; }

    /// <summary>Gets the resources declared so far.</summary>
    IList<IResource> Resources { get; }

    /// <summary>Adds a resource and returns its builder.</summary>
    IResourceBuilder<T> AddResource<T>(T resource) where T : IResource;

    /// <summary>Returns a builder for a resource that is already declared.</summary>
    IResourceBuilder<T> CreateResourceBuilder<T>(T resource) where T : IResource;

    /// <summary>Validates the declaration and builds the application.</summary>
    /// <exception cref="DistributedApplicationException">The declaration is not valid; the message says what to change.</exception>
    DistributedApplication Build();
}
