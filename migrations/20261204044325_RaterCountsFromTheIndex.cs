using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rlhf.Data.Migrations
{
    /// <inheritdoc />
    public partial class RaterCountsFromTheIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Votes_RaterId_SubmittedAtUtc",
                table: "Votes");

            migrationBuilder.DropIndex(
                name: "IX_Assignments_RaterId_Status",
                table: "Assignments");

            migrationBuilder.CreateIndex(
                name: "IX_Votes_RaterId_SubmittedAtUtc_ProjectId",
                table: "Votes",
                columns: new[] { "RaterId", "SubmittedAtUtc", "ProjectId" });

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_RaterId_Status_ProjectId",
                table: "Assignments",
                columns: new[] { "RaterId", "Status", "ProjectId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Votes_RaterId_SubmittedAtUtc_ProjectId",
                table: "Votes");

            migrationBuilder.DropIndex(
                name: "IX_Assignments_RaterId_Status_ProjectId",
                table: "Assignments");

            migrationBuilder.CreateIndex(
                name: "IX_Votes_RaterId_SubmittedAtUtc",
                table: "Votes",
                columns: new[] { "RaterId", "SubmittedAtUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_RaterId_Status",
                table: "Assignments",
                columns: new[] { "RaterId", "Status" });
        }
    }
}
