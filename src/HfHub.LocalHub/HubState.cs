using HfHub.LocalHub.Api;
using HfHub.LocalHub.Faults;
using HfHub.LocalHub.Spaces;
using HfHub.LocalHub.Store;

namespace HfHub.LocalHub;

/// <summary>Everything a route handler needs: the store, the clock, the options, the public address.</summary>
internal sealed class HubState
{
    internal HubState(LocalHubOptions options, string dataDirectory, TimeProvider clock)
    {
        Options = options;
        DataDirectory = dataDirectory;
        Clock = clock;
        Database = new HubDatabase(Path.Combine(dataDirectory, "hub.db"), [AccountStore.Schema, RepoStore.Schema, BucketStore.Schema, GitStore.Schema, SpaceStore.Schema, HfHub.LocalHub.Cas.CasStore.Schema, HfHub.LocalHub.Endpoints.EndpointStore.Schema, GatedAccessStore.Schema, LikeStore.Schema, DiscussionStore.Schema, SpaceTemplateCatalog.Schema]);
        Accounts = new AccountStore(Database, clock);
        Repos = new RepoStore(Database, clock);
        Buckets = new BucketStore(Database, clock);
        Access = new RepoAccess(Accounts);
        GatedAccess = new GatedAccessStore(Database, clock);
        Likes = new LikeStore(Database, clock);
        SpaceTemplates = new SpaceTemplateCatalog(Database, Repos);
        Discussions = new DiscussionStore(Database, clock);
        Blobs = new BlobStore(Path.Combine(dataDirectory, "blobs"));
        AdminSecret = options.AdminSecret ?? HubIds.NewSecret();
        Git = new GitStore(Database, clock);
        Lfs = new LfsTransfers(clock);
        Endpoints = new HfHub.LocalHub.Endpoints.EndpointStore(Database);
        Cas = new HfHub.LocalHub.Cas.CasStore(Database, Path.Combine(dataDirectory, "blobs", "xet"));
        Blobs.CleanTemporaryFiles(TimeSpan.FromDays(1));
        Faults = new FaultInjector(options.Faults);
        Spaces = new SpaceRuntimeHost(this, options.Spaces);
        SpaceHooks = Spaces;
    }

    public LocalHubOptions Options { get; }
    public string DataDirectory { get; }
    public TimeProvider Clock { get; }
    public HubDatabase Database { get; }
    public AccountStore Accounts { get; }
    public RepoStore Repos { get; }

    /// <summary>Storage Buckets: their rows and object maps (the bytes are in <see cref="Cas"/>).</summary>
    public BucketStore Buckets { get; }
    public RepoAccess Access { get; }

    /// <summary>Who may download the files of which gated repo.</summary>
    public GatedAccessStore GatedAccess { get; }

    /// <summary>Which user likes which repo.</summary>
    public LikeStore Likes { get; }

    /// <summary>The Spaces new Spaces can start from (<c>template</c> in a create body).</summary>
    public SpaceTemplateCatalog SpaceTemplates { get; }

    /// <summary>Discussions, pull requests and their timelines.</summary>
    public DiscussionStore Discussions { get; }

    /// <summary>The Spaces runtime's hooks into repo creation, commits and deletion; null until Spaces are wired in.</summary>
    public ISpaceHooks? SpaceHooks { get; set; }
    /// <summary>The Spaces runtime: stages, hardware, secrets, variables, logs and the app host.</summary>
    public SpaceRuntimeHost Spaces { get; }
    public BlobStore Blobs { get; }
    public string AdminSecret { get; }

    /// <summary>Commits, trees, refs and LFS objects of every repo.</summary>
    public GitStore Git { get; }

    /// <summary>Signed storage URLs and multipart upload sessions.</summary>
    public LfsTransfers Lfs { get; }

    /// <summary>The Xet CAS: chunks, xorbs, files and which repo may read which file.</summary>
    internal HfHub.LocalHub.Cas.CasStore Cas { get; }

    /// <summary>Inference Endpoints: their configuration and what was last asked of them.</summary>
    public HfHub.LocalHub.Endpoints.EndpointStore Endpoints { get; }

    /// <summary>The fault-injection switch (start-up options, or the admin route at runtime).</summary>
    public FaultInjector Faults { get; }

    /// <summary>The address clients use; set once Kestrel has bound its port.</summary>
    public Uri Endpoint { get; internal set; } = new("http://127.0.0.1/");

    public string Now() => HubIds.Timestamp(Clock.GetUtcNow());
}
