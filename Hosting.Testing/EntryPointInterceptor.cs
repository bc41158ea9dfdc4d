using System.Diagnostics;

namespace StackModel.Hosting.Testing;

/// <summary>
/// Runs an AppHost entry point under the testing builder's control by listening to the events its builder emits
/// (<see cref="HostingDiagnostics"/>), as Aspire's testing factory does: the builder's settings are changed before it is set up,
/// and the entry point is stopped when it calls <c>Build()</c>, the builder captured. Only the entry point run inside
/// <see cref="Invoke"/> on this async flow is affected, so test stacks created in parallel never see each other's builders.
/// </summary>
internal sealed class EntryPointInterceptor : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private static readonly AsyncLocal<EntryPointInterceptor?> Active = new();

    private readonly Action<DistributedApplicationBuilderSettings> _configure;
    private readonly List<IDisposable> _subscriptions = [];
    private readonly object _gate = new();

    private EntryPointInterceptor(Action<DistributedApplicationBuilderSettings> configure)
    {
        _configure = configure;
    }

    /// <summary>Gets the builder the entry point called <c>Build()</c> on, or <see langword="null"/> when it never did.</summary>
    public DistributedApplicationBuilder? Builder { get; private set; }

    /// <summary>
    /// Runs <paramref name="entryPoint"/> with every StackModel builder it creates changed by <paramref name="configure"/>, and
    /// stops it at <c>Build()</c> by throwing <see cref="EntryPointStoppedException"/> from there (caught here). Any other exception
    /// of the entry point propagates.
    /// </summary>
    public static DistributedApplicationBuilder? Invoke(Action<DistributedApplicationBuilderSettings> configure, Action entryPoint)
    {
        using var interceptor = new EntryPointInterceptor(configure);
        using var subscription = DiagnosticListener.AllListeners.Subscribe(interceptor);
        var previous = Active.Value;
        Active.Value = interceptor;
        try
        {
            entryPoint();
        }
        catch (Exception ex) when (IsStop(ex))
        {
            // Stopped at Build(), as intended.
        }
        finally
        {
            Active.Value = previous;
        }

        return interceptor.Builder;
    }

    private static bool IsStop(Exception? ex) =>
        ex is EntryPointStoppedException || (ex is System.Reflection.TargetInvocationException or AggregateException && IsStop(ex.InnerException));

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener value)
    {
        if (value.Name == HostingDiagnostics.ListenerName)
        {
            lock (_gate)
            {
                _subscriptions.Add(value.Subscribe(this));
            }
        }
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        if (!ReferenceEquals(Active.Value, this))
        {
            return; // Another test's builder, or a builder created outside the entry point.
        }

        switch (value.Key, value.Value)
        {
            case (HostingDiagnostics.BuilderConstructing, DistributedApplicationBuilderSettings settings):
                _configure(settings);
                break;
            case (HostingDiagnostics.Building, DistributedApplicationBuilder builder):
                Builder = builder;
                throw new EntryPointStoppedException();
        }
    }

    void IObserver<DiagnosticListener>.OnCompleted()
    {
    }

    void IObserver<DiagnosticListener>.OnError(Exception error)
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnCompleted()
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error)
    {
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }

            _subscriptions.Clear();
        }
    }

    /// <summary>Thrown from the entry point's <c>Build()</c> to stop it there.</summary>
    private sealed class EntryPointStoppedException : Exception
    {
        public EntryPointStoppedException()
            : base("The testing builder stopped the AppHost entry point at Build().")
        {
        }
    }
}
