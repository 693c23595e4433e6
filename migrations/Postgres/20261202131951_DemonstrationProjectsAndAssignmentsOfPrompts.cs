using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Rlhf.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DemonstrationProjectsAndAssignmentsOfPrompts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "Projects",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "Comparisons"); // every project made before demonstrations compares

            migrationBuilder.AddColumn<bool>(
                name: "ReviewDemonstrations",
                table: "Projects",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AlterColumn<long>(
                name: "ComparisonId",
                table: "Assignments",
                type: "bigint",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "bigint");

            migrationBuilder.AddColumn<long>(
                name: "PromptId",
                table: "Assignments",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Demonstrations",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ProjectId = table.Column<int>(type: "integer", nullable: false),
                    PromptId = table.Column<long>(type: "bigint", nullable: false),
                    AssignmentId = table.Column<long>(type: "bigint", nullable: false),
                    RaterId = table.Column<string>(type: "text", nullable: false),
                    Text = table.Column<string>(type: "text", nullable: false),
                    SubmittedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    SecondsOnTask = table.Column<double>(type: "double precision", nullable: false),
                    Verdict = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ReviewReason = table.Column<string>(type: "text", nullable: true),
                    ReviewedById = table.Column<string>(type: "text", nullable: true),
                    ReviewedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Demonstrations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Demonstrations_AspNetUsers_RaterId",
                        column: x => x.RaterId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Demonstrations_Assignments_AssignmentId",
                        column: x => x.AssignmentId,
                        principalTable: "Assignments",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Demonstrations_Projects_ProjectId",
                        column: x => x.ProjectId,
                        principalTable: "Projects",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Demonstrations_Prompts_PromptId",
                        column: x => x.PromptId,
                        principalTable: "Prompts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "ReferenceDemonstrations",
                columns: table => new
                {
                    PromptId = table.Column<long>(type: "bigint", nullable: false),
                    Text = table.Column<string>(type: "text", nullable: false),
                    WrittenById = table.Column<string>(type: "text", nullable: true),
                    UpdatedAtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ReferenceDemonstrations", x => x.PromptId);
                    table.ForeignKey(
                        name: "FK_ReferenceDemonstrations_Prompts_PromptId",
                        column: x => x.PromptId,
                        principalTable: "Prompts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Assignments_PromptId_Status",
                table: "Assignments",
                columns: new[] { "PromptId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Demonstrations_AssignmentId",
                table: "Demonstrations",
                column: "AssignmentId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Demonstrations_ProjectId_PromptId",
                table: "Demonstrations",
                columns: new[] { "ProjectId", "PromptId" });

            migrationBuilder.CreateIndex(
                name: "IX_Demonstrations_PromptId",
                table: "Demonstrations",
                column: "PromptId");

            migrationBuilder.CreateIndex(
                name: "IX_Demonstrations_RaterId_SubmittedAtUtc",
                table: "Demonstrations",
                columns: new[] { "RaterId", "SubmittedAtUtc" });

            migrationBuilder.AddForeignKey(
                name: "FK_Assignments_Prompts_PromptId",
                table: "Assignments",
                column: "PromptId",
                principalTable: "Prompts",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Assignments_Prompts_PromptId",
                table: "Assignments");

            migrationBuilder.DropTable(
                name: "Demonstrations");

            migrationBuilder.DropTable(
                name: "ReferenceDemonstrations");

            migrationBuilder.DropIndex(
                name: "IX_Assignments_PromptId_Status",
                table: "Assignments");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "ReviewDemonstrations",
                table: "Projects");

            migrationBuilder.DropColumn(
                name: "PromptId",
                table: "Assignments");

            migrationBuilder.AlterColumn<long>(
                name: "ComparisonId",
                table: "Assignments",
                type: "bigint",
                nullable: false,
                defaultValue: 0L,
                oldClrType: typeof(long),
                oldType: "bigint",
                oldNullable: true);
        }
    }
}
