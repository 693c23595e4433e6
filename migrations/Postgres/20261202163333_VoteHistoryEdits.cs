using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rlhf.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class VoteHistoryEdits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "EditCount",
                table: "Votes",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "EditedAtUtc",
                table: "Votes",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "VoteChangeMinutes",
                table: "Projects",
                type: "integer",
                nullable: false,
                defaultValue: 30); // existing projects get the default window (ProjectSettings.DefaultVoteChangeMinutes)
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "EditCount",
                table: "Votes");

            migrationBuilder.DropColumn(
                name: "EditedAtUtc",
                table: "Votes");

            migrationBuilder.DropColumn(
                name: "VoteChangeMinutes",
                table: "Projects");
        }
    }
}
