namespace MigCompat.Discovery;
