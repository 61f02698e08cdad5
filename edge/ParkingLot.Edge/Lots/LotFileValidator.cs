namespace ParkingLot.Edge.Lots;

/// <summary>
/// Checks a lot file without a running agent: the agent at start (through <see cref="LotFileLoader"/>)
/// and <c>parkctl config validate</c> give the same verdict. Never throws for a bad file; an
/// unreadable file is a problem at line 0.
/// </summary>
internal static class LotFileValidator
{
    public static LotFileValidation Validate(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return new LotFileValidation(path, null, [new LotFileProblem(0, "$", $"cannot read the file: {ex.Message}")]);
        }

        return ValidateText(bytes, path);
    }

    /// <summary>As <see cref="Validate(string)"/> for file contents already in memory; <paramref name="source"/> names it in messages.</summary>
    public static LotFileValidation ValidateText(ReadOnlySpan<byte> utf8, string source)
    {
        var (lot, problems) = LotFileLoader.Check(utf8);
        return new LotFileValidation(source, problems.Count == 0 ? lot : null, problems);
    }
}

/// <summary>Verdict on one lot file: <see cref="Lot"/> is set exactly when <see cref="Problems"/> is empty.</summary>
internal sealed record LotFileValidation(string Source, LotFile? Lot, IReadOnlyList<LotFileProblem> Problems)
{
    public bool IsValid => Problems.Count == 0;

    /// <summary>The report a technician reads: the file, then one line per problem.</summary>
    public override string ToString() => IsValid
        ? $"The lot file {Source} is valid."
        : $"The lot file {Source} is invalid:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", Problems)}";
}
