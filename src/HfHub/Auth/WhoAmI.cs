namespace HfHub.Auth;

/// <summary>The account behind a token, from <c>GET /api/whoami-v2</c>.</summary>
public sealed record WhoAmI
{
    /// <summary><c>user</c>, <c>org</c> or <c>app</c>.</summary>
    public string Type { get; init; } = "user";
    public string Id { get; init; } = "";
    /// <summary>The user name, which is also the default namespace for new repos.</summary>
    public string Name { get; init; } = "";
    public string? Fullname { get; init; }
    public string? Email { get; init; }
    public bool? EmailVerified { get; init; }
    public bool? CanPay { get; init; }
    public bool? IsPro { get; init; }
    public long? PeriodEnd { get; init; }
    public string? BillingMode { get; init; }
    public string? AvatarUrl { get; init; }
    public IReadOnlyList<WhoAmIOrg> Orgs { get; init; } = [];
    public WhoAmIAuth? Auth { get; init; }
}

/// <summary>An organisation the user belongs to.</summary>
public sealed record WhoAmIOrg
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string? Fullname { get; init; }
    public string? RoleInOrg { get; init; }
}

/// <summary>How the caller authenticated.</summary>
public sealed record WhoAmIAuth
{
    /// <summary><c>access_token</c>, <c>oauth</c>, <c>app_token</c>, …</summary>
    public string Type { get; init; } = "";
    public WhoAmIAccessToken? AccessToken { get; init; }
    /// <summary>When an OAuth token expires.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>The access token's name, role and age.</summary>
public sealed record WhoAmIAccessToken
{
    public string DisplayName { get; init; } = "";
    /// <summary><c>read</c>, <c>write</c> or <c>fineGrained</c>.</summary>
    public string Role { get; init; } = "";
    public DateTimeOffset? CreatedAt { get; init; }
    /// <summary>A fine-grained token's scopes (role <c>fineGrained</c>); null for read and write tokens.</summary>
    public WhoAmIFineGrained? FineGrained { get; init; }
}

/// <summary>What a fine-grained token may do: permissions on everything (<see cref="Global"/>) and per entity.</summary>
public sealed record WhoAmIFineGrained
{
    public bool CanReadGatedRepos { get; init; }
    /// <summary>Permissions that hold everywhere, such as <c>discussion.write</c>.</summary>
    public IReadOnlyList<string> Global { get; init; } = [];
    public IReadOnlyList<WhoAmITokenScope> Scoped { get; init; } = [];
}

/// <summary>The permissions of a fine-grained token on one user, organisation or repo.</summary>
public sealed record WhoAmITokenScope
{
    public WhoAmIScopeEntity Entity { get; init; } = new();
    /// <summary>Such as <c>repo.content.read</c>, <c>repo.write</c>, <c>inference.endpoints.write</c>.</summary>
    public IReadOnlyList<string> Permissions { get; init; } = [];
}

/// <summary>What a scope applies to: <c>user</c>, <c>org</c>, or a repo type with the repo id as name.</summary>
public sealed record WhoAmIScopeEntity
{
    [System.Text.Json.Serialization.JsonPropertyName("_id")]
    public string Id { get; init; } = "";
    public string Type { get; init; } = "";
    public string Name { get; init; } = "";
}
