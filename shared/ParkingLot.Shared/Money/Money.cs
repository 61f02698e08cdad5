using System.Globalization;

namespace ParkingLot.Shared;

/// <summary>
/// An amount in integer minor units (cents) of an ISO 4217 currency (invariant I5: no floating point
/// anywhere near money). Arithmetic across currencies throws: that is a programming error, not input.
/// </summary>
public readonly record struct Money(long Minor, string Currency)
{
    /// <summary>Zero of <paramref name="currency"/>.</summary>
    public static Money Zero(string currency) => new(0, currency);

    public static Money operator +(Money a, Money b)
    {
        EnsureSameCurrency(a, b);
        return new Money(checked(a.Minor + b.Minor), a.Currency);
    }

    public static Money operator -(Money a, Money b)
    {
        EnsureSameCurrency(a, b);
        return new Money(checked(a.Minor - b.Minor), a.Currency);
    }

    public static Money operator *(Money a, long factor) => new(checked(a.Minor * factor), a.Currency);

    /// <summary>Adds two amounts (the named alternative to <c>+</c>).</summary>
    public static Money Add(Money left, Money right) => left + right;

    /// <summary>Subtracts two amounts (the named alternative to <c>-</c>).</summary>
    public static Money Subtract(Money left, Money right) => left - right;

    /// <summary>Multiplies by an integer (the named alternative to <c>*</c>).</summary>
    public static Money Multiply(Money left, long right) => left * right;

    /// <summary>The smaller of two amounts of one currency.</summary>
    public static Money Min(Money a, Money b)
    {
        EnsureSameCurrency(a, b);
        return a.Minor <= b.Minor ? a : b;
    }

    /// <summary>True for a three-letter upper-case ISO 4217 code.</summary>
    public static bool IsValidCurrency(string? currency) =>
        currency is { Length: 3 } && currency.All(char.IsAsciiLetterUpper);

    /// <summary>"12.50 EUR" (two decimals; every currency we price in has two).</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{(Minor < 0 ? "-" : "")}{Math.Abs(Minor) / 100}.{Math.Abs(Minor) % 100:00} {Currency}");

    private static void EnsureSameCurrency(Money a, Money b)
    {
        if (!string.Equals(a.Currency, b.Currency, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Cannot combine {a.Currency} and {b.Currency}.");
        }
    }
}
