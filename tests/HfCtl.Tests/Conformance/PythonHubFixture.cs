using HfCtl.Testing;
using HfHub.LocalHub;
using HfHub.LocalHub.Spaces;

namespace HfCtl.Tests.Conformance;

/// <summary>
/// The one local hub the Python referee's scenarios share in a test run (Spaces in milliseconds,
/// small LFS parts so multipart uploads happen with small files). Each scenario makes its own users and repos.
/// </summary>
public sealed class PythonHubFixture : LocalHubFixture
{
    protected override void Configure(LocalHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Spaces = SpaceTimings.Fast();
        options.Endpoints = HfHub.LocalHub.Endpoints.EndpointTimings.Fast();
        options.LfsChunkSize = 64 * 1024;
    }
}

[CollectionDefinition(Name)]
public sealed class PythonRefereeCollection : ICollectionFixture<PythonHubFixture>
{
    public const string Name = "python referee";
}
