namespace MigCompat.Fleet.Storage;

/// <summary>The outcome of confirming or releasing a claim.</summary>
public abstract record ClaimTransitionResult;

/// <summary>The claim is now in the asked-for state (or already was).</summary>
/// <param name="Claim">The claim after the change.</param>
public sealed record ClaimTransitioned(Claim Claim) : ClaimTransitionResult;

/// <summary>No claim has that id.</summary>
/// <param name="ClaimId">The id asked for.</param>
public sealed record ClaimNotFound(string ClaimId) : ClaimTransitionResult;

/// <summary>The claim cannot make that change in its current state (e.g. confirming an expired or released claim).</summary>
/// <param name="Claim">The claim as it is.</param>
/// <param name="Reason">Why, for a person.</param>
public sealed record ClaimTransitionRefused(Claim Claim, string Reason) : ClaimTransitionResult;
