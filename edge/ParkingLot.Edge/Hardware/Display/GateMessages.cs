using ParkingLot.Shared;

namespace ParkingLot.Edge.Hardware.Display;

/// <summary>What a gate display can say. The lanes pick a message; the layout decides how it fits.</summary>
internal abstract record GateMessage
{
    private GateMessage()
    {
    }

    internal sealed record Welcome(string LotName) : GateMessage;

    internal sealed record LotFull : GateMessage;

    internal sealed record ReservedOnly : GateMessage;

    internal sealed record TakeTicket : GateMessage;

    internal sealed record Fee(Money Amount) : GateMessage;

    internal sealed record Paid : GateMessage;

    internal sealed record PassRefused(string Reason) : GateMessage;

    internal sealed record Error(string Text) : GateMessage;

    internal sealed record Blank : GateMessage;
}

/// <summary>
/// Turns a <see cref="GateMessage"/> into exactly <c>rows</c> lines of exactly <c>columns</c>
/// characters (fixed texts fit 16 columns, the smallest display), shared by every display so a 16×2 LCD, a 20×4 LCD and an OLED say the same thing:
/// headline centred on the first row, detail word-wrapped and centred on the rows below, anything
/// that does not fit cut off, and characters outside printable ASCII replaced by '?', because the
/// HD44780 A00 character ROM and the OLED font have only those.
/// </summary>
internal static class GateMessageLayout
{
    public static (string Headline, string Detail) Text(GateMessage message) => message switch
    {
        GateMessage.Welcome w => ("Welcome", w.LotName),
        GateMessage.LotFull => ("Lot full", "No spaces free"),
        GateMessage.ReservedOnly => ("Reserved only", "Passes only"),
        GateMessage.TakeTicket => ("Take your ticket", "Barrier opens"),
        GateMessage.Fee f => ("Fee to pay", f.Amount.ToString()),
        GateMessage.Paid => ("Paid - thank you", "Have a good trip"),
        GateMessage.PassRefused p => ("Pass refused", p.Reason),
        GateMessage.Error e => ("Out of order", e.Text),
        GateMessage.Blank => ("", ""),
        _ => throw new ArgumentOutOfRangeException(nameof(message), message, "Unknown gate message."),
    };

    public static IReadOnlyList<string> Format(GateMessage message, int columns, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);

        var (headline, detail) = Text(message);
        var lines = new List<string> { Centre(Sanitize(headline), columns) };
        foreach (var line in Wrap(Sanitize(detail), columns, rows - 1))
        {
            lines.Add(Centre(line, columns));
        }

        while (lines.Count < rows)
        {
            lines.Add(new string(' ', columns));
        }

        return lines;
    }

    /// <summary>Centres (left bias on odd padding) and cuts to <paramref name="columns"/>.</summary>
    public static string Centre(string text, int columns)
    {
        if (text.Length >= columns)
        {
            return text[..columns];
        }

        var left = (columns - text.Length) / 2;
        return new string(' ', left) + text + new string(' ', columns - text.Length - left);
    }

    public static string Sanitize(string text) =>
        string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = source[i] is >= ' ' and <= '}' ? source[i] : '?';
            }
        });

    /// <summary>Greedy word wrap into at most <paramref name="maxRows"/> rows; a word longer than a row is cut.</summary>
    private static List<string> Wrap(string text, int columns, int maxRows)
    {
        List<string> rows = [];
        if (maxRows <= 0 || text.Length == 0)
        {
            return rows;
        }

        var current = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = current.Length == 0 ? word : current + " " + word;
            if (candidate.Length <= columns)
            {
                current = candidate;
                continue;
            }

            if (current.Length > 0)
            {
                rows.Add(current);
                if (rows.Count == maxRows)
                {
                    return rows;
                }
            }

            current = word.Length > columns ? word[..columns] : word;
        }

        if (current.Length > 0 && rows.Count < maxRows)
        {
            rows.Add(current);
        }

        return rows;
    }
}
