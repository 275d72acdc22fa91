using ActorChat.Gateway.Configuration;

namespace ActorChat.Gateway.Tests;

public sealed class HoconParserTests
{
    private static Dictionary<string, string?> Parse(string text, string? directory = null) => HoconParser.Parse(text, "test.conf", directory);

    [Fact]
    public void Objects_nest_with_braces_dotted_keys_and_either_separator()
    {
        var data = Parse("""
            a { b = 1, c : "two" }
            a.d = 3
            e { f { g = 4 } }
            """);
        Assert.Equal("1", data["a:b"]);
        Assert.Equal("two", data["a:c"]);
        Assert.Equal("3", data["a:d"]);
        Assert.Equal("4", data["e:f:g"]);
    }

    [Fact]
    public void A_root_object_may_be_braced_and_later_fields_override_while_objects_merge()
    {
        var data = Parse("""
            {
              server { port = 1, host = x }
              server { port = 2 }
              name = first
              name = second
            }
            """);
        Assert.Equal("2", data["server:port"]);
        Assert.Equal("x", data["server:host"]);
        Assert.Equal("second", data["name"]);
    }

    [Fact]
    public void Hash_and_double_slash_comments_are_ignored_but_not_inside_quotes()
    {
        var data = Parse("""
            # a comment line
            // another
            a = 1 # trailing
            b = 2 // trailing
            c = "not # a comment // either"
            """);
        Assert.Equal("1", data["a"]);
        Assert.Equal("2", data["b"]);
        Assert.Equal("not # a comment // either", data["c"]);
    }

    [Fact]
    public void Lists_become_indexed_keys_across_lines_and_commas()
    {
        var data = Parse("""
            origins = ["https://a.example", "https://b.example",
                       "https://c.example"]
            empty = []
            nested = [{ x = 1 }, { x = 2 }]
            """);
        Assert.Equal("https://a.example", data["origins:0"]);
        Assert.Equal("https://b.example", data["origins:1"]);
        Assert.Equal("https://c.example", data["origins:2"]);
        Assert.Equal("2", data["nested:1:x"]);
        Assert.DoesNotContain(data.Keys, k => k.StartsWith("empty"));
    }

    [Fact]
    public void Double_slash_starts_a_comment_even_in_unquoted_text_as_the_spec_says()
    {
        var data = Parse("url = http://example.org\nquoted = \"http://example.org\"");
        Assert.Equal("http:", data["url"]);
        Assert.Equal("http://example.org", data["quoted"]);
    }

    [Fact]
    public void Quoted_strings_keep_escapes_and_quoted_keys_keep_their_dots()
    {
        var data = Parse("""
            greeting = "say \"hi\"\n\tthere \u0041"
            "Microsoft.AspNetCore" = Warning
            """);
        Assert.Equal("say \"hi\"\n\tthere A", data["greeting"]);
        Assert.Equal("Warning", data["Microsoft.AspNetCore"]);
    }

    [Fact]
    public void Durations_and_sizes_stay_text_for_the_binder_and_null_unsets()
    {
        var data = Parse("a = 60s\nb = 500ms\nc = 1MiB\nd = null");
        Assert.Equal("60s", data["a"]);
        Assert.Equal("500ms", data["b"]);
        Assert.Equal("1MiB", data["c"]);
        Assert.Null(data["d"]);
    }

    [Fact]
    public void Substitutions_refer_to_other_keys_and_to_the_environment_and_concatenate()
    {
        var variable = "ACTORCHAT_HOCON_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "from-env");
        try
        {
            var data = Parse($$"""
                host = example.org
                port = 8080
                url = "http://"${host}":"${port}/chat
                env = ${{{variable}}}
                maybe = ${?NO_SUCH_VARIABLE_ANYWHERE}
                kept = ${?host}
                """);
            Assert.Equal("http://example.org:8080/chat", data["url"]);
            Assert.Equal("from-env", data["env"]);
            Assert.False(data.ContainsKey("maybe"));
            Assert.Equal("example.org", data["kept"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Include_merges_another_file_relative_to_the_including_one()
    {
        var dir = Directory.CreateTempSubdirectory("hocon").FullName;
        File.WriteAllText(Path.Combine(dir, "base.conf"), "node { port = 1, host = base }\n");
        var data = Parse("include \"base.conf\"\nnode.port = 2\ninclude \"missing.conf\"\n", dir);
        Assert.Equal("2", data["node:port"]);
        Assert.Equal("base", data["node:host"]);
    }

    [Theory]
    [InlineData("a = ", 1, "expected a value")]
    [InlineData("a {\n b = 1\n", 3, "not closed")]
    [InlineData("a = \"open", 1, "quoted string is not closed")]
    [InlineData("a b = 1", 1, "expected '=', ':' or '{'")]
    [InlineData("x = 1\ny = ${nope}", 2, "${nope} is undefined")]
    [InlineData("a = ${b}\nb = ${a}", 1, "cycle")]
    [InlineData("a = [1, 2", 1, "list is not closed")]
    [InlineData("a = 1 }", 1, "unexpected '}'")]
    [InlineData("= 1", 1, "expected a key")]
    [InlineData("a = \"bad \\q\"", 1, "unknown escape")]
    [InlineData("include \"x.conf\"", 1, "not allowed here")]
    [InlineData("a = ${unclosed", 1, "not closed")]
    public void Each_syntax_error_names_file_line_and_problem(string text, int line, string problem)
    {
        var ex = Assert.Throws<HoconException>(() => Parse(text));
        Assert.StartsWith($"test.conf:{line}:", ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    [Fact]
    public void The_repository_hocon_conf_parses_and_sets_every_section()
    {
        var path = FindRepoFile("hocon.conf");
        var data = HoconParser.Parse(File.ReadAllText(path), path, Path.GetDirectoryName(path));
        Assert.Equal("8000", data["node:port"]);
        Assert.Equal("memory", data["node:layer"]);
        Assert.Equal("100", data["ChannelLayer:capacity"]);
        Assert.Equal("1MiB", data["Bridge:maxMessageSize"]);
        Assert.Equal("Warning", data["Logging:LogLevel:Microsoft.AspNetCore"]);
    }

    internal static string FindRepoFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, name)) && File.Exists(Path.Combine(dir.FullName, "ActorChat.sln")))
            {
                return Path.Combine(dir.FullName, name);
            }
        }

        throw new FileNotFoundException(name);
    }
}
