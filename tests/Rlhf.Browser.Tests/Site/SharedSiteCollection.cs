namespace Rlhf.Browser.Tests.Site;

/// <summary>The xunit collection whose test classes share one <see cref="SharedSite"/> (see there how to opt in).</summary>
[CollectionDefinition(SharedSite.Collection)]
public sealed class SharedSiteCollection : ICollectionFixture<SharedSite>;
