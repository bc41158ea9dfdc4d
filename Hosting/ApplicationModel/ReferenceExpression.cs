using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace StackModel.Hosting.ApplicationModel;

/// <summary>
/// A string with holes filled by <see cref="IValueProvider"/>s (endpoint hosts and ports, parameters, other
/// expressions), rendered per consumer <see cref="NetworkContext"/>. Create one with an interpolated string:
/// <c>ReferenceExpression.Create($"Host={endpoint.Property(EndpointProperty.Host)}")</c>.
/// </summary>
/// <remarks>The format <c>:uri</c> percent-escapes a value, for user names and passwords inside URIs.</remarks>
public sealed class ReferenceExpression : IValueProvider
{
    private readonly string[] _literals;
    private readonly IValueProvider[] _values;
    private readonly string?[] _formats;

    private ReferenceExpression(string[] literals, IValueProvider[] values, string?[] formats)
    {
        _literals = literals;
        _values = values;
        _formats = formats;
    }

    /// <summary>Gets the value providers this expression depends on.</summary>
    public IReadOnlyList<IValueProvider> ValueProviders => _values;

    /// <inheritdoc/>
    public bool IsSecret => _values.Any(v => v.IsSecret);

    /// <inheritdoc/>
    public string ValueExpression
    {
        get
        {
            var sb = new StringBuilder();
            for (var i = 0; i < _literals.Length; i++)
            {
                sb.Append(_literals[i]);
                if (i < _values.Length)
                {
                    sb.Append(_values[i].ValueExpression);
                }
            }

            return sb.ToString();
        }
    }

    /// <summary>Creates an expression from an interpolated string.</summary>
    public static ReferenceExpression Create(in ExpressionInterpolatedStringHandler handler) => handler.Build();

    /// <summary>Creates an expression that is a literal.</summary>
    public static ReferenceExpression Literal(string value) => new([value], [], []);

    /// <inheritdoc/>
    public async ValueTask<string?> GetValueAsync(NetworkContext context, CancellationToken cancellationToken = default)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < _literals.Length; i++)
        {
            sb.Append(_literals[i]);
            if (i < _values.Length)
            {
                var value = await _values[i].GetValueAsync(context, cancellationToken).ConfigureAwait(false);
                sb.Append(_formats[i] == "uri" ? Uri.EscapeDataString(value ?? string.Empty) : value);
            }
        }

        return sb.ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => ValueExpression;

    /// <summary>Collects the literal and value parts of an interpolated string.</summary>
    [InterpolatedStringHandler]
    public ref struct ExpressionInterpolatedStringHandler
    {
        private readonly List<string> _literals;
        private readonly List<IValueProvider> _values;
        private readonly List<string?> _formats;
        private readonly StringBuilder _current;

        /// <summary>Initializes the handler (called by the compiler).</summary>
        public ExpressionInterpolatedStringHandler(int literalLength, int formattedCount)
        {
            _literals = new(formattedCount + 1);
            _values = new(formattedCount);
            _formats = new(formattedCount);
            _current = new(literalLength);
        }

        /// <summary>Appends a literal part.</summary>
        public readonly void AppendLiteral(string value) => _current.Append(value);

        /// <summary>Appends a plain value, formatted invariantly.</summary>
        public readonly void AppendFormatted<T>(T value)
        {
            if (value is IValueProvider provider)
            {
                AppendFormatted(provider, null);
                return;
            }

            _current.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
        }

        /// <summary>Appends a value provider; format <c>uri</c> percent-escapes it.</summary>
        public readonly void AppendFormatted(IValueProvider value, string? format)
        {
            ArgumentNullException.ThrowIfNull(value);
            if (format is not null and not "uri")
            {
                throw new FormatException($"Format '{format}' is not supported in a reference expression; the only format is 'uri'.");
            }

            _literals.Add(_current.ToString());
            _current.Clear();
            _values.Add(value);
            _formats.Add(format);
        }

        /// <summary>Appends a resource builder's resource when it is a value provider (a parameter).</summary>
        public readonly void AppendFormatted<T>(IResourceBuilder<T> builder) where T : IResource
        {
            ArgumentNullException.ThrowIfNull(builder);
            if (builder.Resource is not IValueProvider provider)
            {
                throw new ArgumentException($"Resource '{builder.Resource.Name}' has no value to put in an expression.", nameof(builder));
            }

            AppendFormatted(provider, null);
        }

        internal readonly ReferenceExpression Build()
        {
            _literals.Add(_current.ToString());
            return new ReferenceExpression([.. _literals], [.. _values], [.. _formats]);
        }
    }
}
