namespace Rlhf.Web.Api;

/// <summary>The site process's memory in bytes: managed heap after a full collection, working set, private bytes.</summary>
public sealed record SiteMemory(long GcHeapBytes, long WorkingSetBytes, long PrivateBytes);
