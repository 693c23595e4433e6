using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Rlhf.Data.Migrations
{
    /// <inheritdoc />
    public partial class ModelTypeOfRegisteredModels : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ModelType",
                table: "Models",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "gpt2");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ModelType",
                table: "Models");
        }
    }
}
