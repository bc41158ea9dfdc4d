namespace StackModel.Hosting.ApplicationModel;

/// <summary>Holds a resource's <see cref="ResourcePlacement"/>, decided in <see cref="DistributedApplication.Prepare()"/>.</summary>
internal sealed class ResourcePlacementAnnotation(ResourcePlacement placement) : IResourceAnnotation
{
    /// <summary>Gets or sets the placement (replaced when a verb's provisional placement is decided for real at start).</summary>
    public ResourcePlacement Placement { get; set; } = placement;
}
