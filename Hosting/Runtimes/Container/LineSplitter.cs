using System.Text;

namespace StackModel.Hosting.Runtimes.Container;

/// <summary>
/// Cuts a byte stream that arrives in pieces (frames of Docker's multiplexed log stream) into UTF-8 lines, a line at a time to
/// <paramref name="onLine"/> without its line end; a multi-byte character split across pieces is decoded whole.
/// </summary>
internal sealed class LineSplitter(Action<string> onLine)
{
    private readonly List<byte> _pending = [];

    /// <summary>Adds the next piece; calls back for every line it completes.</summary>
    public void Append(ReadOnlySpan<byte> piece)
    {
        while (piece.Length > 0)
        {
            var end = piece.IndexOf((byte)'\n');
            if (end < 0)
            {
                _pending.AddRange(piece);
                return;
            }

            _pending.AddRange(piece[..end]);
            Emit();
            piece = piece[(end + 1)..];
        }
    }

    /// <summary>Calls back for a last line that had no line end.</summary>
    public void Flush()
    {
        if (_pending.Count > 0)
        {
            Emit();
        }
    }

    private void Emit()
    {
        var count = _pending.Count > 0 && _pending[^1] == (byte)'\r' ? _pending.Count - 1 : _pending.Count;
        var line = Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_pending)[..count]);
        _pending.Clear();
        onLine(line);
    }
}
