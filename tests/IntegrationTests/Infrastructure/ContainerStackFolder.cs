using StackModel.Hosting.Testing;

namespace StackModel.IntegrationTests.Infrastructure;

/// <summary>
/// A temporary state folder for an AppHost process on the container runtime, with what such a stack is named by it: its stack name,
/// a free port, PostgreSQL's container and its volume. Disposing it removes the container and the volume, whatever the test left,
/// then the folder.
/// </summary>
internal sealed class ContainerStackFolder : IAsyncDisposable
{
    public ContainerStackFolder()
    {
        State = new TempDirectory();
        StackName = AppHostProcess.StackNameFor(State.Path);
        Port = FreePorts.Next();
        Container = ContainerMachine.PostgresContainer(StackName, State.Path);
        Volume = ContainerMachine.PostgresVolume(StackName, State.Path);
    }

    public TempDirectory State { get; }

    public string StackName { get; }

    public int Port { get; }

    public string Container { get; }

    public string Volume { get; }

    public void Deconstruct(out TempDirectory state, out string stackName, out int port, out string container, out string volume) =>
        (state, stackName, port, container, volume) = (State, StackName, Port, Container, Volume);

    public async ValueTask DisposeAsync()
    {
        await ContainerMachine.Engine.RunAsync(["rm", "-f", Container]);
        await ContainerMachine.Engine.RunAsync(["volume", "rm", "-f", Volume]);
        State.Dispose();
    }
}
