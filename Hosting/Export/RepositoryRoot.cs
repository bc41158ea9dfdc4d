namespace StackModel.Hosting.Export;

/// <summary>Finds the repository's root: the nearest folder above the AppHost holding <c>.git</c> or <c>StackModel.sln</c>.</summary>
internal static class RepositoryRoot
{
    public static string? Find(string startDirectory)
    {
        for (var directory = new DirectoryInfo(Path.GetFullPath(startDirectory)); directory is not null; directory = directory.Parent)
        {
            if (Directory.Exists(Path.Combine(directory.FullName, ".git")) || File.Exists(Path.Combine(directory.FullName, ".git"))
                || File.Exists(Path.Combine(directory.FullName, "StackModel.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
