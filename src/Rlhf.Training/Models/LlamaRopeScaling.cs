namespace Rlhf.Training.Models;

/// <summary>
/// config.json's rope_scaling of rope_type "llama3" (Llama 3.1+): frequencies with a wavelength longer than
/// original_max_position_embeddings / low_freq_factor are divided by factor, those shorter than
/// original_max_position_embeddings / high_freq_factor are kept, and the band between is interpolated.
/// </summary>
public sealed record LlamaRopeScaling(double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalMaxPositionEmbeddings)
{
    /// <summary>HF's _compute_llama3_parameters applied to the plain inverse frequencies.</summary>
    public double[] Apply(double[] invFreq)
    {
        var lowFreqWavelen = OriginalMaxPositionEmbeddings / LowFreqFactor;
        var highFreqWavelen = OriginalMaxPositionEmbeddings / HighFreqFactor;
        var result = new double[invFreq.Length];
        for (var i = 0; i < invFreq.Length; i++)
        {
            var wavelen = 2 * Math.PI / invFreq[i];
            var scaled = wavelen > lowFreqWavelen ? invFreq[i] / Factor : invFreq[i];
            var isMedium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
            if (isMedium)
            {
                var smooth = (OriginalMaxPositionEmbeddings / wavelen - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
                scaled = (1 - smooth) * scaled / Factor + smooth * scaled;
            }
            result[i] = scaled;
        }
        return result;
    }
}
