using MigCompat.Fleet.Service;

namespace MigCompat.Fleet.Tests.Service;

public sealed class FleetServiceOptionsTests
{
    [Fact]
    public void Ended_claims_are_kept_for_seven_days_unless_told_otherwise()
    {
        Assert.Equal(TimeSpan.FromDays(7), new FleetServiceOptions().ClaimRetention);
        Assert.Equal(TimeSpan.FromDays(7), FleetServiceOptions.DefaultClaimRetention);
    }
}
