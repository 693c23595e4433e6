namespace Rlhf.Data.Exchange;

public enum VotesFormat
{
    Jsonl = 0,
    Csv = 1,
}
