namespace ParkingLot.Shared.Tests;

public sealed class MoneyTests
{
    [Fact]
    public void Add_SameCurrency_AddsMinorUnits()
    {
        Assert.Equal(new Money(350, "EUR"), new Money(100, "EUR") + new Money(250, "EUR"));
        Assert.Equal(new Money(-150, "EUR"), Money.Subtract(new Money(100, "EUR"), new Money(250, "EUR")));
    }

    [Fact]
    public void Add_CurrencyMismatch_Throws()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new Money(100, "EUR") + new Money(100, "USD"));

        Assert.Contains("EUR", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Subtract_CurrencyMismatch_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new Money(100, "EUR") - new Money(100, "GBP"));
    }

    [Fact]
    public void Add_Overflow_Throws()
    {
        Assert.Throws<OverflowException>(() => new Money(long.MaxValue, "EUR") + new Money(1, "EUR"));
    }

    [Theory]
    [InlineData(0, "0.00 EUR")]
    [InlineData(5, "0.05 EUR")]
    [InlineData(100, "1.00 EUR")]
    [InlineData(1250, "12.50 EUR")]
    [InlineData(-5, "-0.05 EUR")]
    [InlineData(-1250, "-12.50 EUR")]
    [InlineData(123456789, "1234567.89 EUR")]
    public void ToString_MinorUnits_ShowsTwoDecimalsAndCurrency(long minor, string expected)
    {
        Assert.Equal(expected, new Money(minor, "EUR").ToString());
    }

    [Theory]
    [InlineData("EUR", true)]
    [InlineData("eur", false)]
    [InlineData("EU", false)]
    [InlineData("EURO", false)]
    [InlineData("E1R", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsValidCurrency_Code_AcceptsOnlyThreeUpperCaseLetters(string? code, bool expected)
    {
        Assert.Equal(expected, Money.IsValidCurrency(code));
    }

    [Fact]
    public void Min_TwoAmounts_ReturnsTheSmaller()
    {
        Assert.Equal(new Money(100, "EUR"), Money.Min(new Money(100, "EUR"), new Money(200, "EUR")));
        Assert.Equal(new Money(600, "EUR"), new Money(200, "EUR") * 3);
    }
}
