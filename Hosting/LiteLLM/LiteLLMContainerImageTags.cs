namespace StackModel.Hosting.LiteLLM;

/// <summary>The LiteLLM proxy image, pinned in this one place.</summary>
internal static class LiteLLMContainerImageTags
{
    /// <summary>The image: <c>ghcr.io/berriai/litellm</c>; its entrypoint is the <c>litellm</c> command.</summary>
    public const string Image = "ghcr.io/berriai/litellm";

    /// <summary>A stable release tag (<c>vX.Y.Z-stable</c>); never <c>main-stable</c> or <c>latest</c>, whose schema moves under the data.</summary>
    public const string Tag = "v1.83.10-stable";
}
