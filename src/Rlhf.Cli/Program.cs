using Rlhf.Cli;

return await RlhfCommandLine.Build().Parse(args).InvokeAsync();
