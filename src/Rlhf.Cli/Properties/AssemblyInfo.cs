[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Rlhf.Cli.Tests")]
