using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using HfCtl.Cli;
using HfHub;
using HfHub.Http;
using HfHub.Json;

namespace HfCtl.Commands.Api;

/// <summary>
/// <c>hfctl api &lt;path&gt;</c>: an authenticated raw call to the Hub, like <c>gh api</c>. It goes
/// through the client's pipeline (token only to the Hub's host, user agent, retries of safe
/// requests, <c>--verbose</c> trace with the token masked) and prints the body as it came.
/// </summary>
internal static class ApiCommand
{
    private static readonly Argument<string> PathArgument = new("path")
    {
        Description = "The Hub path (/api/models, api/whoami-v2) or a full URL on the same host as the endpoint",
    };

    private static readonly Option<string?> Method = new("--method", "-X")
    {
        Description = "The HTTP method (default GET, or POST when fields or --input are given)",
    };

    private static readonly Option<string[]> RawFields = new("--raw-field", "-f")
    {
        Description = "A string parameter key=value (JSON body for POST/PUT/PATCH/DELETE, query string for GET); repeatable",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string[]> TypedFields = new("--field", "-F")
    {
        Description = "A typed parameter key=value: true, false, null and numbers keep their JSON type, @file reads a file (@- stdin); repeatable",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string[]> Headers = new("--header", "-H")
    {
        Description = "An extra request header 'Name: value'; repeatable",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string?> Input = new("--input")
    {
        Description = "Send this file as the raw request body ('-' for stdin); fields then go to the query string",
    };

    private static readonly Option<bool> Paginate = new("--paginate")
    {
        Description = "Follow Link rel=\"next\" and print all pages; JSON array pages are joined into one array",
    };

    private static readonly Option<bool> Include = new("--include", "-i")
    {
        Description = "Print the HTTP status line and response headers before the body",
    };

    private static readonly Option<bool> Silent = new("--silent")
    {
        Description = "Do not print the response body",
    };

    public static Command Create(App app)
    {
        var command = new Command("api", "Make an authenticated HTTP request to the Hub API and print the response")
        {
            PathArgument, Method, RawFields, TypedFields, Headers, Input, Paginate, Include, Silent,
        };
        command.SetAction(app.Handler(RunAsync));
        return command;
    }

    private static async Task<int> RunAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var parse = context.ParseResult;
        var fields = new List<ApiField>();
        foreach (var text in parse.GetValue(RawFields) ?? [])
        {
            fields.Add(ApiFields.Parse(text, typed: false, ReadFile));
        }
        foreach (var text in parse.GetValue(TypedFields) ?? [])
        {
            fields.Add(ApiFields.Parse(text, typed: true, ReadFile));
        }
        var input = parse.GetValue(Input);
        var method = parse.GetValue(Method) is { } m
            ? ParseMethod(m)
            : fields.Count > 0 || input is not null ? HttpMethod.Post : HttpMethod.Get;
        var paginate = parse.GetValue(Paginate);
        if (paginate && method != HttpMethod.Get)
        {
            throw new UsageException("--paginate works with GET requests only");
        }
        var headers = (parse.GetValue(Headers) ?? []).Select(ParseHeader).ToList();

        var client = await context.ConnectAsync(cancellationToken).ConfigureAwait(false);
        var url = Resolve(client, parse.GetValue(PathArgument)!);
        var fieldsInQuery = input is not null || method == HttpMethod.Get || method == HttpMethod.Head;
        if (fieldsInQuery)
        {
            url = ApiFields.WithQuery(url, fields);
        }
        byte[]? body = input is not null ? await ReadInputAsync(context, input, cancellationToken).ConfigureAwait(false)
            : fields.Count > 0 && !fieldsInQuery ? Encoding.UTF8.GetBytes(ApiFields.Body(fields).ToJsonString())
            : null;

        var printer = new ApiPrinter(context.Console, parse.GetValue(Include), parse.GetValue(Silent), context.Output.Settings.All, context.Output);
        var seen = new HashSet<Uri>();
        for (Uri? next = url; next is not null;)
        {
            seen.Add(next);
            using var request = new HttpRequestMessage(method, next);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = input is null ? "utf-8" : null };
            }
            foreach (var (name, value) in headers)
            {
                AddHeader(request, name, value);
            }
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            printer.Headers(response);
            if (!response.IsSuccessStatusCode)
            {
                printer.Flush();
                printer.Body(response, bytes);
                throw await HubException.FromResponseAsync(response, cancellationToken).ConfigureAwait(false);
            }
            if (!paginate)
            {
                printer.Body(response, bytes);
                break;
            }
            printer.Page(response, bytes);
            next = NextPage(client, response);
            if (next is not null && seen.Contains(next))
            {
                // A Link that points back at a page already read would loop forever.
                break;
            }
        }
        printer.Flush();
        return ExitCodes.Ok;

        string ReadFile(string file) => file == "-" ? context.Console.In.ReadToEnd() : ReadText(file);
    }

    private static HttpMethod ParseMethod(string text)
    {
        var name = text.Trim().ToUpperInvariant();
        if (name.Length == 0 || !name.All(char.IsAsciiLetterUpper))
        {
            throw new UsageException($"invalid HTTP method '{text}'");
        }
        return HttpMethod.Parse(name);
    }

    private static string ReadText(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read '{file}': {e.Message}");
        }
    }

    private static async Task<byte[]> ReadInputAsync(CommandContext context, string input, CancellationToken cancellationToken)
    {
        if (input.Length == 0)
        {
            throw new UsageException("--input cannot be empty: give a file name, or - for stdin");
        }
        if (input == "-")
        {
            return Encoding.UTF8.GetBytes(await context.Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false));
        }
        try
        {
            return await File.ReadAllBytesAsync(input, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read '{input}': {e.Message}");
        }
    }

    /// <summary>
    /// <c>/api/x</c> and <c>api/x</c> are relative to the endpoint (and its base path); a full URL must
    /// be on the endpoint's own scheme, host and port, because the request carries the token.
    /// </summary>
    internal static Uri Resolve(HubClient client, string path)
    {
        var trimmed = path.Trim();
        if (trimmed.Length == 0)
        {
            throw new UsageException("the path cannot be empty");
        }
        if (trimmed.Any(char.IsControl) || !Utf16Text.IsWellFormed(trimmed))
        {
            throw new UsageException($"invalid path '{trimmed}': control characters and invalid UTF-16 are not allowed (percent-encode them)");
        }
        if (trimmed.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var absolute) || (absolute.Scheme != Uri.UriSchemeHttp && absolute.Scheme != Uri.UriSchemeHttps))
            {
                throw new UsageException($"invalid URL '{trimmed}'");
            }
            if (!client.IsOnHub(absolute))
            {
                throw new UsageException($"refusing to call {absolute.GetLeftPart(UriPartial.Authority)}: hfctl api only calls the Hub it is configured for ({client.Endpoint.GetLeftPart(UriPartial.Authority)}), so the token never goes elsewhere");
            }
            return absolute;
        }
        return client.Url(trimmed);
    }

    private static Uri? NextPage(HubClient client, HttpResponseMessage response)
    {
        var next = HubClient.NextPageUrl(response);
        if (next is not null && !client.IsOnHub(next))
        {
            throw new CommandFailedException($"stopped paginating: the next page is on another host ({next.GetLeftPart(UriPartial.Authority)})", ExitCodes.Error);
        }
        return next;
    }

    private static (string Name, string Value) ParseHeader(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var name = colon > 0 ? text[..colon].Trim() : "";
        if (name.Length == 0 || name.Any(c => c <= ' ' || c >= 127))
        {
            throw new UsageException($"header '{text}' must be 'Name: value'");
        }
        var value = text[(colon + 1)..].Trim();
        // CR/LF in a value would smuggle in another header.
        if (value.Any(char.IsControl))
        {
            throw new UsageException($"header '{name}' has control characters in its value");
        }
        return (name, value);
    }

    private static void AddHeader(HttpRequestMessage request, string name, string value)
    {
        if (request.Content is { } content && name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
        {
            content.Headers.Remove(name);
            if (content.Headers.TryAddWithoutValidation(name, value))
            {
                return;
            }
        }
        if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
        {
            request.Headers.Authorization = null;
        }
        request.Headers.Remove(name);
        if (!request.Headers.TryAddWithoutValidation(name, value))
        {
            throw new UsageException($"header '{name}' can only be sent with a body (use -f/-F or --input)");
        }
    }
}
