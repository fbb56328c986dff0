namespace MigCompat.Server;
