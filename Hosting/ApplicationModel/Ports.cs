namespace StackModel.Hosting.ApplicationModel;

internal static class Ports
{
    public static void ThrowIfInvalid(int port, string argumentName)
    {
        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(argumentName, port,
                $"Port {port} is not a valid TCP port. Use a number from 1 to 65535 (ports below 1024 need privileges; the stack's defaults are above 1024).");
        }
    }
}
