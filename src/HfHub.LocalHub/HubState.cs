using HfHub.LocalHub.Api;
using HfHub.LocalHub.Spaces;
using HfHub.LocalHub.Store;

namespace HfHub.LocalHub;

/// <summary>Everything a route handler needs: the store, the clock, the options, the public address.</summary>
public sealed class HubState
{
    internal HubState(LocalHubOptions options, string dataDirectory, TimeProvider clock)
    {
        Options = options;
        DataDirectory = dataDirectory;
        Clock = clock;
        Database = new HubDatabase(Path.Combine(dataDirectory, "hub.db"), [AccountStore.Schema, RepoStore.Schema, SpaceStore.Schema]);
        Accounts = new AccountStore(Database, clock);
        Repos = new RepoStore(Database, clock);
        Access = new RepoAccess(Accounts);
        Blobs = new BlobStore(Path.Combine(dataDirectory, "blobs"));
        AdminSecret = options.AdminSecret ?? HubIds.NewSecret();
        Spaces = new SpaceRuntime(this, options.Spaces);
        SpaceHooks = Spaces;
    }

    public LocalHubOptions Options { get; }
    public string DataDirectory { get; }
    public TimeProvider Clock { get; }
    public HubDatabase Database { get; }
    public AccountStore Accounts { get; }
    public RepoStore Repos { get; }
    public RepoAccess Access { get; }

    /// <summary>The Spaces runtime's hooks into repo creation, commits and deletion; null until Spaces are wired in.</summary>
    public ISpaceHooks? SpaceHooks { get; set; }
    /// <summary>The Spaces runtime: stages, hardware, secrets, variables, logs and the app host.</summary>
    public SpaceRuntime Spaces { get; }
    public BlobStore Blobs { get; }
    public string AdminSecret { get; }

    /// <summary>The address clients use; set once Kestrel has bound its port.</summary>
    public Uri Endpoint { get; internal set; } = new("http://127.0.0.1/");

    public string Now() => HubIds.Timestamp(Clock.GetUtcNow());
}
