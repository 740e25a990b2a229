using HfCtl.Cli;
using HfHub.Http;

namespace HfCtl.Tests;

public sealed class ExitCodeTests
{
    public static TheoryData<Exception, int> Cases => new()
    {
        { HubException.For(401, "Invalid credentials in Authorization header", null, "rid", null), ExitCodes.Auth },
        { HubException.For(404, "Repository not found", "RepoNotFound", null, null), ExitCodes.NotFound },
        { HubException.For(401, "Repository not found", "RepoNotFound", null, null), ExitCodes.NotFound },
        { HubException.For(403, "no write access", null, null, null), ExitCodes.Forbidden },
        { HubException.For(409, "You already created this space repo", null, null, null), ExitCodes.Conflict },
        { HubException.For(412, "precondition failed", null, null, null), ExitCodes.Conflict },
        { HubException.For(429, "slow down", null, null, null), ExitCodes.Error },
        { HubException.For(500, "Internal Error", null, null, null), ExitCodes.Error },
        { new HubConnectionException("cannot resolve host 'x'", null, new HttpRequestException("x")), ExitCodes.Network },
        { new UsageException("bad flag"), ExitCodes.Usage },
        { new ArgumentException("invalid repo id"), ExitCodes.Usage },
        { new CommandFailedException("gone", ExitCodes.NotFound), ExitCodes.NotFound },
        { new OperationCanceledException(), ExitCodes.Interrupted },
        { new IOException("disk full"), ExitCodes.Error },
        { new InvalidOperationException("boom"), ExitCodes.Error },
        { new TypeInitializationException("X", new HubConnectionException("cannot resolve host 'x'", null, new HttpRequestException("x"))), ExitCodes.Network },
    };

    [Fact]
    public void A_missing_native_library_is_named_instead_of_a_type_initializer()
    {
        var wrapped = new TypeInitializationException("SQLitePCL.raw",
            new DllNotFoundException("Unable to load shared library 'e_sqlite3' or one of its dependencies. In order to help diagnose\nloading problems, consider..."));
        var (code, message) = App.Classify(wrapped);
        Assert.Equal(ExitCodes.Error, code);
        Assert.Equal("a native library is missing: Unable to load shared library 'e_sqlite3' or one of its dependencies (keep the files published next to hfctl together)", message);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Exceptions_map_to_documented_exit_codes_and_one_line(Exception exception, int code)
    {
        var (actual, message) = App.Classify(exception);
        Assert.Equal(code, actual);
        Assert.DoesNotContain('\n', message);
        Assert.NotEmpty(message);
    }

    [Fact]
    public void Request_ids_and_statuses_are_quoted_for_support()
    {
        Assert.Equal("authentication failed: bad token [request id Root=1-x]",
            App.Classify(HubException.For(401, "bad token", null, "Root=1-x", null)).Message);
        Assert.Equal("Internal Error (HTTP 500)", App.Classify(HubException.For(500, "Internal Error", null, null, null)).Message);
    }

    [Fact]
    public void The_documented_codes_do_not_change()
    {
        Assert.Equal((0, 1, 2, 3, 4, 5, 6, 7, 130),
            (ExitCodes.Ok, ExitCodes.Error, ExitCodes.Usage, ExitCodes.Network, ExitCodes.Auth, ExitCodes.NotFound, ExitCodes.Forbidden, ExitCodes.Conflict, ExitCodes.Interrupted));
    }
}
