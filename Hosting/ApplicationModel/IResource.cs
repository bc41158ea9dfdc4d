namespace StackModel.Hosting.ApplicationModel;

/// <summary>A named part of the stack: a server, a database, a program, a parameter.</summary>
public interface IResource
{
    /// <summary>Gets the resource's name, unique in the stack.</summary>
    string Name { get; }

    /// <summary>Gets the annotations that describe how the resource is wired and run.</summary>
    ResourceAnnotationCollection Annotations { get; }
}
