namespace StackModel.Hosting.Orchestration;

/// <summary>Whether a wait is satisfied by a dependency's snapshot.</summary>
internal enum WaitOutcome
{
    Pending,
    Satisfied,
    Failed,
}
