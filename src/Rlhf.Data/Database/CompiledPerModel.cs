using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Rlhf.Data.Database;

/// <summary>
/// A compiled query (<see cref="EF.CompileAsyncQuery{TContext,TParam1,TResult}(System.Linq.Expressions.Expression{Func{TContext,TParam1,TResult}})"/>)
/// per EF Core model. EF Core refuses to run a compiled query against a model other than the one it was compiled for,
/// and each provider has its own model (as has every context built with options of its own, as tests build them), so
/// the query is compiled once for each model it meets. The models are held weakly: a model that goes away takes its
/// compiled query with it.
/// </summary>
public sealed class CompiledPerModel<TQuery>(Func<TQuery> compile) where TQuery : class
{
    private readonly ConditionalWeakTable<IModel, TQuery> byModel = new();

    /// <summary>The query compiled for <paramref name="db"/>'s model.</summary>
    public TQuery For(DbContext db)
    {
        var model = db.Model;
        return byModel.TryGetValue(model, out var query) ? query : byModel.GetValue(model, _ => compile());
    }
}
