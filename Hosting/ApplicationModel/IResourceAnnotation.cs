namespace StackModel.Hosting.ApplicationModel;

/// <summary>Marker for a piece of metadata attached to a resource.</summary>
public interface IResourceAnnotation;
