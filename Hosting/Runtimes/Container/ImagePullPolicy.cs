namespace StackModel.Hosting.Runtimes.Container;

/// <summary>When the stack pulls an image it runs (<c>Stack:PullPolicy</c>), named as Compose names its <c>pull_policy</c>.</summary>
internal enum ImagePullPolicy
{
    /// <summary>Pull only when the image is not present locally (the default).</summary>
    Missing,

    /// <summary>Never pull: a missing image fails at once with how to build it.</summary>
    Never,

    /// <summary>Pull before every container start.</summary>
    Always,
}
