using System.Text;
using System.Text.Json;

namespace ParkingLot.Edge.Lots;

/// <summary>
/// Maps JSON paths (<c>$.spots[3].id</c>, the notation of <see cref="JsonException.Path"/>) to 1-based
/// line numbers, so that checks made after deserialisation (duplicate ids, capacity above the spot
/// count) can name the line at fault as the parser does for syntax errors.
/// </summary>
internal sealed class JsonLineIndex
{
    private readonly Dictionary<string, int> _lines = new(StringComparer.Ordinal);

    private JsonLineIndex()
    {
    }

    public static JsonLineIndex Build(ReadOnlySpan<byte> utf8)
    {
        var index = new JsonLineIndex();
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var frames = new List<Frame>();
        var lines = new LineCounter();

        try
        {
            index._lines["$"] = 1;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        frames[^1].Property = reader.GetString();
                        index._lines[Path(frames)] = lines.At(utf8, reader.TokenStartIndex);
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        StepArray(frames, index, lines.At(utf8, reader.TokenStartIndex));
                        frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        break;
                    default:
                        StepArray(frames, index, lines.At(utf8, reader.TokenStartIndex));
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // A syntax error is reported by the deserialiser with its own line; the index is only a
            // helper for semantic checks, which never run on a file that does not parse.
        }

        return index;
    }

    /// <summary>The line of <paramref name="path"/>, or of its nearest known ancestor.</summary>
    public int LineOf(string path)
    {
        var current = path;
        while (true)
        {
            if (_lines.TryGetValue(current, out var line))
            {
                return line;
            }

            var cut = Math.Max(current.LastIndexOf('.'), current.LastIndexOf('['));
            if (cut <= 0)
            {
                return 1;
            }

            current = current[..cut];
        }
    }

    private static void StepArray(List<Frame> frames, JsonLineIndex index, int line)
    {
        if (frames.Count > 0 && frames[^1].IsArray)
        {
            frames[^1].Index++;
            index._lines[Path(frames)] = line;
        }
    }

    private static string Path(List<Frame> frames)
    {
        var path = new StringBuilder("$");
        foreach (var frame in frames)
        {
            if (frame.IsArray)
            {
                path.Append('[').Append(frame.Index).Append(']');
            }
            else if (frame.Property is not null)
            {
                path.Append('.').Append(frame.Property);
            }
        }

        return path.ToString();
    }

    /// <summary>Counts newlines incrementally: tokens arrive in order, so the whole file is scanned once.</summary>
    private sealed class LineCounter
    {
        private int _line = 1;
        private int _scanned;

        public int At(ReadOnlySpan<byte> utf8, long position)
        {
            var end = (int)position;
            _line += utf8[_scanned..end].Count((byte)'\n');
            _scanned = end;
            return _line;
        }
    }

    private sealed class Frame(bool isArray)
    {
        public bool IsArray { get; } = isArray;

        public int Index { get; set; } = -1;

        public string? Property { get; set; }
    }
}
