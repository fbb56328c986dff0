namespace MigCompat.Core;
