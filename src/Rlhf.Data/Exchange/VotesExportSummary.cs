namespace Rlhf.Data.Exchange;

public sealed record VotesExportSummary(int Votes, int Voided);
