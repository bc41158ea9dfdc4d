namespace StackModel.Hosting.Tests.LiteLLM;

/// <summary>A state folder the test owns; removed on dispose.</summary>
internal sealed class TempStateDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("stackmodel-model-test-").FullName;

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
