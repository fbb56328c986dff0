namespace MigCompat.Placement;

/// <summary>Placement could not be reached or answered with an error; the message says so in the user's words.</summary>
public sealed class PlacementException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, for a person.</param>
    /// <param name="inner">The cause, if any.</param>
    public PlacementException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
