namespace StackModel.Tests.Utilities;

/// <summary>A <c>/bin/sh</c> script a test writes to stand in for a program (a container engine CLI, a service), made executable.</summary>
public static class ShellScript
{
    /// <summary>Writes <c>#!/bin/sh</c> and <paramref name="body"/> to <paramref name="name"/> in <paramref name="folder"/>, makes it executable and returns its path.</summary>
    public static string Write(string folder, string name, string body)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }
}
