namespace StackModel.Hosting.Export;

/// <summary>One rendered variable of the exported environment.</summary>
/// <param name="Name">The variable's name.</param>
/// <param name="Value">Its value for the requested network context.</param>
/// <param name="Resource">The resource that declared it.</param>
/// <param name="IsSecret">Whether the value holds a secret.</param>
internal sealed record ExportedVariable(string Name, string Value, string Resource, bool IsSecret);
