using Rlhf.Cli;
using Rlhf.Training;

// The CLI trains, scores and benchmarks (and `rlhf worker` runs jobs, whose runner keeps this only while a job runs):
// malloc keeps freed tensor memory mapped for the next step (NativeHeap). The site does not: it keeps it only around a job.
NativeHeap.KeepFreedMemory();
return await RlhfCommandLine.Build().Parse(args).InvokeAsync();
