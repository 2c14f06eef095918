using System.Text;

namespace VipDaemon.Core.Import;

/// <summary>One statement of keepalived.conf: a keyword, its arguments, and the statements of its block, if any.</summary>
public sealed record KeepalivedStatement(string Keyword, IReadOnlyList<string> Arguments, IReadOnlyList<KeepalivedStatement> Block, int Line);

/// <summary>
/// Tokenizes keepalived.conf: words separated by blanks, <c>{ }</c> blocks, <c>#</c>/<c>!</c> comments, double
/// quotes. <c>include</c> is kept as a statement (the importer reports it; it reads no files).
/// </summary>
public static class KeepalivedConf
{
    public static IReadOnlyList<KeepalivedStatement> Parse(string text, List<string> problems)
    {
        var tokens = Tokenize(text);
        var position = 0;
        var result = ParseBlock(tokens, ref position, problems, topLevel: true);
        return result;
    }

    private static List<KeepalivedStatement> ParseBlock(List<(string Text, int Line, bool NewLine)> tokens, ref int i, List<string> problems, bool topLevel)
    {
        var statements = new List<KeepalivedStatement>();
        while (i < tokens.Count)
        {
            var (word, line, _) = tokens[i];
            if (word == "}")
            {
                i++;
                if (topLevel)
                {
                    problems.Add($"line {line}: unexpected '}}'");
                    continue;
                }

                return statements;
            }

            if (word == "{")
            {
                // An anonymous block (e.g. `virtual_ipaddress {` on the next line is handled below); skip it.
                i++;
                ParseBlock(tokens, ref i, problems, topLevel: false);
                continue;
            }

            i++;
            var args = new List<string>();
            while (i < tokens.Count && !tokens[i].NewLine && tokens[i].Text is not ("{" or "}"))
            {
                args.Add(tokens[i].Text);
                i++;
            }

            List<KeepalivedStatement> block = [];
            if (i < tokens.Count && tokens[i].Text == "{")
            {
                i++;
                block = ParseBlock(tokens, ref i, problems, topLevel: false);
            }

            statements.Add(new KeepalivedStatement(word, args, block, line));
        }

        if (!topLevel)
        {
            problems.Add("end of file inside a '{' block");
        }

        return statements;
    }

    private static List<(string Text, int Line, bool NewLine)> Tokenize(string text)
    {
        var tokens = new List<(string, int, bool)>();
        var line = 1;
        var newLine = true;
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                newLine = true;
                i++;
            }
            else if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '#' or '!')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c is '{' or '}')
            {
                tokens.Add((c.ToString(), line, newLine));
                newLine = false;
                i++;
            }
            else if (c == '"')
            {
                var sb = new StringBuilder();
                i++;
                while (i < text.Length && text[i] is not ('"' or '\n'))
                {
                    sb.Append(text[i++]);
                }

                i++;
                tokens.Add((sb.ToString(), line, newLine));
                newLine = false;
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('{' or '}'))
                {
                    i++;
                }

                tokens.Add((text[start..i], line, newLine));
                newLine = false;
            }
        }

        return tokens;
    }
}
