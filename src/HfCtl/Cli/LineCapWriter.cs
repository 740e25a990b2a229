using System.Text;

namespace HfCtl.Cli;

/// <summary>
/// Agent mode's safety net for the 50-line rule: stdout passes through until the limit, then lines are
/// counted instead of written, so that a command that prints more than it should (one that does not cut
/// its own output) still cannot flood an agent's context. Commands that cut their own output stay under the
/// limit and write their summary around this writer; <see cref="CommandContext"/> reports what this one held back.
/// </summary>
internal sealed class LineCapWriter(TextWriter inner, int limit) : TextWriter
{
    private int _lines;
    private bool _partial;

    /// <summary>How many lines were held back (a last line without a newline counts).</summary>
    public int HiddenLines { get; private set; }

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        if (_lines >= limit)
        {
            if (value == '\n')
            {
                HiddenLines++;
                _partial = false;
            }
            else if (!_partial)
            {
                _partial = true;
            }
            return;
        }
        inner.Write(value);
        if (value == '\n')
        {
            _lines++;
        }
    }

    public override void Write(string? value)
    {
        if (value is null)
        {
            return;
        }
        if (_lines < limit && value.AsSpan().Count('\n') + _lines < limit)
        {
            inner.Write(value);
            _lines += value.AsSpan().Count('\n');
            return;
        }
        foreach (var c in value)
        {
            Write(c);
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine(string? value)
    {
        Write(value);
        Write('\n');
    }

    public override void WriteLine() => Write('\n');

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync() => inner.FlushAsync();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    /// <summary>Counts a last line that had no newline; call once the command has finished writing.</summary>
    public int Finish()
    {
        if (_partial)
        {
            HiddenLines++;
            _partial = false;
        }
        return HiddenLines;
    }
}
