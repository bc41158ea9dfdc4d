namespace StackModel.Hosting.ApplicationModel;

/// <summary>A rule an integration adds to build-time validation (isolation of databases, for example).</summary>
internal interface IModelRule
{
    /// <summary>Returns one message per violation, naming the resources and the fix.</summary>
    IEnumerable<string> Check(IReadOnlyList<IResource> resources);
}
