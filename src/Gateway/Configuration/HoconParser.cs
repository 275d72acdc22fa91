using System.Text;

namespace ActorChat.Gateway.Configuration;

/// <summary>
/// Reads the part of HOCON a node's configuration needs: objects (braced or root), dotted keys, <c>=</c>,
/// <c>:</c> or no separator before <c>{</c>, <c>#</c> and <c>//</c> comments, lists, quoted and unquoted
/// strings, value concatenation, <c>${path}</c> and <c>${?path}</c> substitutions, and <c>include</c>.
/// Durations and sizes stay text; the options binder parses them.
/// </summary>
internal sealed class HoconParser
{
    private readonly string _text;
    private readonly string _file;
    private readonly string? _directory;
    private readonly int _includeDepth;
    private int _pos;
    private int _line = 1;

    private HoconParser(string text, string file, string? directory, int includeDepth)
    {
        _text = text;
        _file = file;
        _directory = directory;
        _includeDepth = includeDepth;
    }

    /// <summary>Parses HOCON text into configuration keys (joined with ':'), with substitutions resolved.</summary>
    /// <param name="text">The HOCON source.</param>
    /// <param name="file">A name for error messages.</param>
    /// <param name="directory">Where relative <c>include</c> paths start; includes are refused when null.</param>
    public static Dictionary<string, string?> Parse(string text, string file, string? directory)
    {
        var root = ParseObject(text, file, directory, 0);
        return HoconResolver.Flatten(root, file);
    }

    internal static HoconObject ParseObject(string text, string file, string? directory, int includeDepth)
    {
        var parser = new HoconParser(text, file, directory, includeDepth);
        parser.SkipSpace(newlines: true);
        HoconObject root;
        if (parser.Peek() == '{')
        {
            root = parser.ParseBracedObject();
            parser.SkipSpace(newlines: true);
            if (!parser.AtEnd)
            {
                throw parser.Error($"unexpected '{parser.Peek()}' after the root object");
            }
        }
        else
        {
            root = parser.ParseFields(closer: null);
        }

        return root;
    }

    private bool AtEnd => _pos >= _text.Length;

    private char Peek(int ahead = 0) => _pos + ahead < _text.Length ? _text[_pos + ahead] : '\0';

    private HoconObject ParseBracedObject()
    {
        Expect('{');
        var result = ParseFields(closer: '}');
        Expect('}');
        return result;
    }

    private HoconObject ParseFields(char? closer)
    {
        var result = new HoconObject(_line);
        while (true)
        {
            SkipSpace(newlines: true, commas: true);
            if (AtEnd)
            {
                if (closer is not null)
                {
                    throw Error($"the object is not closed: expected '{closer}' before the end of the file");
                }

                return result;
            }

            if (Peek() == closer)
            {
                return result;
            }

            if (TryParseInclude(result))
            {
                continue;
            }

            var line = _line;
            var path = ParseKey();
            SkipSpace(newlines: false);
            HoconNode value;
            if (Peek() == '{')
            {
                value = ParseBracedObject();
            }
            else if (Peek() is '=' or ':')
            {
                _pos++;
                SkipSpace(newlines: false);
                value = ParseValue();
            }
            else
            {
                throw Error($"expected '=', ':' or '{{' after key '{string.Join('.', path)}'");
            }

            Set(result, path, value, line);
            EndOfField(closer);
        }
    }

    private bool TryParseInclude(HoconObject target)
    {
        if (!_text.AsSpan(_pos).StartsWith("include") || _pos + 7 >= _text.Length || !char.IsWhiteSpace(_text[_pos + 7]))
        {
            return false;
        }

        var line = _line;
        _pos += 7;
        SkipSpace(newlines: false);
        var required = false;
        if (_text.AsSpan(_pos).StartsWith("required("))
        {
            required = true;
            _pos += 9;
        }

        var wrapped = _text.AsSpan(_pos).StartsWith("file(");
        if (wrapped)
        {
            _pos += 5;
        }

        if (Peek() != '"')
        {
            throw Error("include needs a quoted file name, such as include \"local.conf\"");
        }

        var name = ParseQuoted();
        if (wrapped)
        {
            Expect(')');
        }

        if (required)
        {
            Expect(')');
        }

        if (_directory is null)
        {
            throw new HoconException(_file, line, $"include \"{name}\" is not allowed here: the text has no directory to include from");
        }

        if (_includeDepth >= 10)
        {
            throw new HoconException(_file, line, $"include \"{name}\" nests more than 10 levels; is a file including itself?");
        }

        var full = Path.GetFullPath(Path.Combine(_directory, name));
        if (!File.Exists(full))
        {
            if (required)
            {
                throw new HoconException(_file, line, $"required include \"{name}\" was not found at {full}");
            }

            return true; // HOCON: a missing include is skipped unless required(...)
        }

        var included = ParseObject(File.ReadAllText(full), full, Path.GetDirectoryName(full), _includeDepth + 1);
        foreach (var (key, value) in included.Fields)
        {
            Set(target, [key], value, line);
        }

        EndOfField(null);
        return true;
    }

    private List<string> ParseKey()
    {
        var path = new List<string>();
        var segment = new StringBuilder();
        while (!AtEnd)
        {
            var c = Peek();
            if (c == '"')
            {
                segment.Append(ParseQuoted());
                continue;
            }

            if (c == '.')
            {
                path.Add(FinishSegment(segment));
                _pos++;
                continue;
            }

            if (char.IsWhiteSpace(c) || c is '=' or ':' or '{' or '}' or '[' or ']' or ',' or '#' || (c == '/' && Peek(1) == '/'))
            {
                break;
            }

            if (c is '$' or '"' or '\\' or '?' or '!' or '@' or '*' or '&' or '^' or '`' or '+')
            {
                throw Error($"'{c}' cannot appear in an unquoted key; quote the key");
            }

            segment.Append(c);
            _pos++;
        }

        path.Add(FinishSegment(segment));
        return path;

        string FinishSegment(StringBuilder part)
        {
            if (part.Length == 0)
            {
                throw Error(AtEnd ? "expected a key before the end of the file" : $"expected a key, found '{Peek()}'");
            }

            var done = part.ToString();
            part.Clear();
            return done;
        }
    }

    private HoconNode ParseValue()
    {
        var line = _line;
        var parts = new List<HoconNode>();
        while (!AtEnd)
        {
            var c = Peek();
            if (c is '\n' or '\r' or ',' or '}' or ']' or '#' || (c == '/' && Peek(1) == '/'))
            {
                break;
            }

            if (c == '{')
            {
                parts.Add(ParseBracedObject());
            }
            else if (c == '[')
            {
                parts.Add(ParseArray());
            }
            else if (c == '"')
            {
                parts.Add(new HoconScalar(_line, ParseQuoted()));
            }
            else if (c == '$' && Peek(1) == '{')
            {
                parts.Add(ParseSubstitution());
            }
            else
            {
                parts.Add(new HoconScalar(_line, ParseUnquoted()));
            }
        }

        TrimTrailingSpace(parts);
        if (parts.Count == 0)
        {
            throw new HoconException(_file, line, "expected a value");
        }

        if (parts.Count == 1)
        {
            return parts[0] is HoconScalar { Text: "null" } ? new HoconScalar(line, null) : parts[0];
        }

        if (parts.Exists(p => p is HoconObject or HoconArray))
        {
            throw new HoconException(_file, line, "an object or list cannot be joined with other values on one line");
        }

        return new HoconConcat(line, parts);
    }

    private HoconArray ParseArray()
    {
        var line = _line;
        Expect('[');
        var items = new List<HoconNode>();
        while (true)
        {
            SkipSpace(newlines: true, commas: true);
            if (AtEnd)
            {
                throw new HoconException(_file, line, "the list is not closed: expected ']'");
            }

            if (Peek() == ']')
            {
                _pos++;
                return new HoconArray(line, items);
            }

            items.Add(ParseValue());
        }
    }

    private HoconSubstitution ParseSubstitution()
    {
        var line = _line;
        _pos += 2;
        var optional = Peek() == '?';
        if (optional)
        {
            _pos++;
        }

        var end = _text.IndexOf('}', _pos);
        var newline = _text.IndexOf('\n', _pos);
        if (end < 0 || (newline >= 0 && newline < end))
        {
            throw Error("a substitution is not closed: expected '}'");
        }

        var path = _text[_pos..end].Trim();
        if (path.Length == 0)
        {
            throw Error("a substitution needs a path, such as ${node.port}");
        }

        _pos = end + 1;
        return new HoconSubstitution(line, path, optional);
    }

    private string ParseQuoted()
    {
        Expect('"');
        var result = new StringBuilder();
        while (true)
        {
            if (AtEnd || Peek() == '\n')
            {
                throw Error("a quoted string is not closed: expected '\"'");
            }

            var c = _text[_pos++];
            if (c == '"')
            {
                return result.ToString();
            }

            if (c != '\\')
            {
                result.Append(c);
                continue;
            }

            var escaped = AtEnd ? '\0' : _text[_pos++];
            result.Append(escaped switch
            {
                '"' => '"', '\\' => '\\', '/' => '/', 'n' => '\n', 't' => '\t', 'r' => '\r', 'b' => '\b', 'f' => '\f',
                'u' when _pos + 4 <= _text.Length && ushort.TryParse(_text.AsSpan(_pos, 4), System.Globalization.NumberStyles.HexNumber, null, out var code)
                    => Advance4((char)code),
                _ => throw Error($"unknown escape '\\{escaped}' in a quoted string"),
            });
        }

        char Advance4(char value)
        {
            _pos += 4;
            return value;
        }
    }

    private string ParseUnquoted()
    {
        var start = _pos;
        while (!AtEnd)
        {
            var c = Peek();
            if (c is '\n' or '\r' or ',' or '}' or ']' or '{' or '[' or '"' or '#' || (c == '/' && Peek(1) == '/') || (c == '$' && Peek(1) == '{'))
            {
                break;
            }

            _pos++;
        }

        return _text[start.._pos];
    }

    private static void TrimTrailingSpace(List<HoconNode> parts)
    {
        if (parts.Count > 0 && parts[^1] is HoconScalar { Text: { } last } scalar)
        {
            var trimmed = last.TrimEnd();
            if (trimmed.Length == 0)
            {
                parts.RemoveAt(parts.Count - 1);
            }
            else
            {
                parts[^1] = scalar with { Text = trimmed };
            }
        }
    }

    private void EndOfField(char? closer)
    {
        SkipSpace(newlines: false);
        if (AtEnd || Peek() is '\n' or '\r' or ',' || Peek() == closer || Peek() == '#' || (Peek() == '/' && Peek(1) == '/'))
        {
            return;
        }

        throw Error($"unexpected '{Peek()}' after a value; put each field on its own line or separate with ','");
    }

    private void Set(HoconObject target, List<string> path, HoconNode value, int line)
    {
        var current = target;
        for (var i = 0; i < path.Count - 1; i++)
        {
            if (!current.Fields.TryGetValue(path[i], out var next) || next is not HoconObject nested)
            {
                nested = new HoconObject(line);
                current.Fields[path[i]] = nested;
            }

            current = nested;
        }

        var last = path[^1];
        if (value is HoconObject incoming && current.Fields.TryGetValue(last, out var existing) && existing is HoconObject merged)
        {
            foreach (var (key, field) in incoming.Fields)
            {
                Set(merged, [key], field, line);
            }
        }
        else
        {
            current.Fields[last] = value;
        }
    }

    private void SkipSpace(bool newlines, bool commas = false)
    {
        while (!AtEnd)
        {
            var c = Peek();
            if (c == '\n')
            {
                if (!newlines)
                {
                    return;
                }

                _line++;
                _pos++;
            }
            else if (c is ' ' or '\t' or '\r' or '\uFEFF' || (commas && c == ','))
            {
                _pos++;
            }
            else if (newlines && (c == '#' || (c == '/' && Peek(1) == '/')))
            {
                while (!AtEnd && Peek() != '\n')
                {
                    _pos++;
                }
            }
            else if (!newlines && (c == '#' || (c == '/' && Peek(1) == '/')))
            {
                return;
            }
            else
            {
                return;
            }
        }
    }

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw Error(AtEnd ? $"expected '{c}' before the end of the file" : $"expected '{c}', found '{Peek()}'");
        }

        _pos++;
    }

    private HoconException Error(string problem) => new(_file, _line, problem);
}
